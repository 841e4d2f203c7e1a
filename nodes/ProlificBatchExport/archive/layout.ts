import type { Resource } from '../types';
import { baseName, normalisePath } from './paths';

/**
 * The files of an export archive, as Prolific documents them: a batch's and a collection's
 * name their records and metadata differently; uploads sit under files/ in both.
 */
export const ARCHIVE_LAYOUT = {
	batch: {
		submissionsFile: 'responses-by-submission.jsonl',
		tasksFile: 'responses-by-task.jsonl' as string | undefined,
		infoFile: 'batch.json',
	},
	collection: {
		submissionsFile: 'responses.jsonl',
		tasksFile: undefined as string | undefined,
		infoFile: 'collection.json',
	},
} satisfies Record<Resource, unknown>;

const FILES_FOLDER = 'files/';

/**
 * Only entries under files/ are uploads: a response's path naming anything else (batch.json,
 * the records, README.md) must never attach it, or one item would carry every participant's answers.
 */
export function isUploadPath(name: string): boolean {
	return normalisePath(name).startsWith(FILES_FOLDER);
}

/** The submission an upload's documented name, `{submission_id}_{instruction_id}_{index}.{ext}`, says it belongs to. */
export function namedSubmission(path: string): string | undefined {
	return /^([^_]+)_[^_]+_\d+(?:\.[^_]*)?$/.exec(baseName(path))?.[1];
}

const README_FILE = 'README.md';

/** Every documented top-level file, of either layout: not counted against Max Files. */
export const TOP_LEVEL_FILES: ReadonlySet<string> = new Set([
	README_FILE,
	...Object.values(ARCHIVE_LAYOUT).flatMap((layout) =>
		[layout.submissionsFile, layout.tasksFile, layout.infoFile].filter((name): name is string => name !== undefined),
	),
]);
