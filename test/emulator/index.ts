export { buildArchive } from './archive-builder';
export type { ArchiveOptions, BatchSpec, InstructionSpec, Response, SubmissionSpec } from './archive-builder';
export type { Fault, Route } from './faults';
export { buildRawZip, inflateBomb, mutateArchive } from './raw-zip';
export type { RawZipEntry } from './raw-zip';
export { ProlificEmulator } from './server';
export type { EmulatorOptions, RecordedRequest } from './server';
export type { ExportFilter, ExportJob, Workspace } from './store';
