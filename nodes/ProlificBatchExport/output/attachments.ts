import type { IBinaryKeyData, IDataObject } from 'n8n-workflow';

import type { ExportArchive } from '../archive/reader';
import type { BinaryWriter, StoredFile } from './binary-writer';
import { isUploadPath, namedSubmission } from '../archive/layout';
import { baseName, normalisePath } from '../archive/paths';
import { noteFileProblem, type FileProblems } from './problems';
import type { FileDescription, FileRef, RefStatus, ShapedItem } from './types';

/** When only some submissions are output: what the whole export references. */
export interface StrayScope {
	referenced: Set<string>;
}

/**
 * Files in the archive that no response points at are still data: each goes to the item of the
 * submission (and instruction) its documented name `{submission}_{instruction}_{index}.ext`
 * names, or else to the first item (with a scope, only to the submissions being output).
 * Returns the paths placed.
 */
export function placeUnreferencedFiles(items: ShapedItem[], archive: ExportArchive, scope?: StrayScope): string[] {
	const inArchive = archive.fileNames;
	if (inArchive.length === 0) return [];
	const referenced = scope?.referenced ?? new Set<string>();
	if (!scope) for (const item of items) for (const file of item.files) referenced.add(normalisePath(file.path));
	const known = new Map<ShapedItem, Set<string>>();
	const claims = (item: ShapedItem) => known.get(item) ?? known.set(item, item.claims()).get(item)!;
	const placed: string[] = [];
	for (const path of inArchive.filter((name) => !referenced.has(name))) {
		const [submissionId, instructionId] = baseName(path).split('_');
		const owner =
			items.find((item) => claims(item).has(`${submissionId}/${instructionId}`)) ??
			items.find((item) => claims(item).has(submissionId)) ??
			(scope ? undefined : items[0]);
		if (!owner) continue;
		const claimed = claims(owner).has(submissionId);
		owner.files.push({
			path,
			name: baseName(path),
			submission_id: claimed ? submissionId : null,
			task_id: null,
			instruction_id: claimed && claims(owner).has(`${submissionId}/${instructionId}`) ? instructionId : null,
			unreferenced: true,
		});
		placed.push(path);
	}
	return placed;
}

/** Puts an item's file descriptions into its JSON: a `files` list, or a Rows cell. */
export type DescribeFiles = (json: IDataObject, files: FileDescription[]) => IDataObject;

/** An item's files: described at once, their binaries once the writer has finished. */
export interface AttachedFiles {
	files: FileDescription[];
	stored: Map<string, StoredFile>;
}

/**
 * What a reference's file is: an upload in the archive ('attached'), one whose name says it is
 * another submission's ('foreign', attached but marked), absent ('missing'), or a path outside
 * files/ ('outside', never attached: it would hand archive metadata to one participant's item).
 */
export function refStatus(archive: ExportArchive, ref: FileRef): RefStatus {
	if (!archive.hasUpload(ref.path)) return isUploadPath(ref.path) ? 'missing' : 'outside';
	if (ref.unreferenced) return 'unreferenced';
	return isForeign(ref) ? 'foreign' : 'attached';
}

/** A reference from one submission to a file whose documented name gives another's. */
export function isForeign(ref: FileRef): boolean {
	const owner = namedSubmission(ref.path);
	return owner !== undefined && ref.submission_id !== null && owner !== ref.submission_id;
}

/**
 * Hands an item's files to the writer, which stores them in n8n's binary store, so memory holds
 * a few inflated files at most. A response whose file is not in the archive is described as
 * missing, not fatal; what needs attention is noted in `problems`.
 */
export async function attachFiles(
	writer: BinaryWriter,
	archive: ExportArchive,
	refs: FileRef[],
	prefix: string,
	problems: FileProblems,
): Promise<AttachedFiles> {
	const stored = new Map<string, StoredFile>();
	const files: FileDescription[] = [];
	const attached = new Map<string, FileDescription>();
	for (const ref of refs) {
		const path = normalisePath(ref.path);
		const status = refStatus(archive, ref);
		noteFileProblem(problems, status, ref);
		const description: FileDescription = {
			binary_property: null,
			task_id: ref.task_id,
			instruction_id: ref.instruction_id,
			name: ref.name,
			path: ref.path,
			size: null,
			status: status === 'outside' ? 'missing' : status,
		};
		const twin = attached.get(path);
		if (twin) {
			files.push({ ...description, binary_property: twin.binary_property, size: twin.size });
			continue;
		}
		if (status !== 'missing' && status !== 'outside') {
			const property = `${prefix}${attached.size}`;
			const file = await writer.add(path, safeFileName(ref.name, path));
			stored.set(property, file);
			Object.assign(description, { binary_property: property, size: file.size });
			attached.set(path, description);
		}
		files.push(description);
	}
	return { files, stored };
}

/** The item's binary data, once the writer has finished. */
export function binaryOf(stored: Map<string, StoredFile>): IBinaryKeyData {
	const binary: IBinaryKeyData = {};
	for (const [property, file] of stored) if (file.binary) binary[property] = file.binary;
	return binary;
}

/** Participants name their uploads; storage nodes use the name as a path, so make it a plain one. */
export function safeFileName(name: string, path: string): string {
	const plain = (value: string) =>
		baseName(value.replace(/\\/g, '/'))
			.replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*]/g, '_')
			.trim();
	const cleaned = plain(name);
	// The entry's name is the fallback, cleaned too: it is as untrusted as the record.
	return cleaned && cleaned !== '.' && cleaned !== '..' ? cleaned : plain(path);
}

/** The `files` cell of a row: flat text a spreadsheet can hold. */
export function describeFilesInline(files: FileDescription[]): string {
	return files
		.map((file) => {
			if (!file.binary_property) return `${file.name} (${isUploadPath(file.path) ? 'missing from archive' : 'not an upload'})`;
			const note = file.status === 'attached' ? '' : ` (${file.status})`;
			return `${file.binary_property}: ${file.name}${note}`;
		})
		.join('; ');
}
