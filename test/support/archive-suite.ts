import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before } from 'node:test';

import { buildArchive, type ProlificEmulator, type RawZipEntry } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import type { HarnessItem, RunResult } from '../harness';
import { harnessDir } from '../harness/env';
import { rawEntriesOf, serveArchive } from './archives';
import { runExport, startEmulator, type ExportRun } from './setup';

/** What the engine tests of archives share: one emulator, the sample archive and its entries. */
export const suite = {} as { emulator: ProlificEmulator; sample: Buffer; sampleEntries: RawZipEntry[] };

/** Starts the emulator and builds the sample archive before the file's tests; stops it after. */
export function useArchiveSuite(): void {
	before(async () => {
		suite.emulator = await startEmulator();
		suite.sample = await buildArchive(sampleBatch);
		suite.sampleEntries = await rawEntriesOf(suite.sample);
	});
	after(async () => await suite.emulator.close());
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export const INCOMPLETE_HINT =
	'The archive is incomplete. Run the node again for a fresh export, or choose the Archive output to inspect it.';

/** Serves `archive` as a fresh batch and runs the node on it. */
export async function exportOf(archive: Buffer, run: ExportRun = {}): Promise<RunResult> {
	return await runExport(suite.emulator, { ...run, batchId: serveArchive(suite.emulator, archive) });
}

export function succeeded(run: RunResult): void {
	assert.equal(run.status, 'success', run.error?.message);
}

/** Every file under the harness's n8n folder (the binary data store lives there). */
export function storedFiles(): string[] {
	return readdirSync(harnessDir(), { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => `${entry.parentPath}/${entry.name}`);
}

export const bytesOf = (item: HarnessItem) =>
	Object.fromEntries(Object.entries(item.binary).map(([key, binary]) => [key, binary.bytes]));
export const sampleFile = (path: string) => sampleBatch.files[path];
