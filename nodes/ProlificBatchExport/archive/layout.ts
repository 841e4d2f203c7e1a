import type { Resource } from '../types';

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

export const FILES_FOLDER = 'files/';
const README_FILE = 'README.md';

/** Every documented top-level file, of either layout: not counted against Max Files. */
export const TOP_LEVEL_FILES: ReadonlySet<string> = new Set([
	README_FILE,
	...Object.values(ARCHIVE_LAYOUT).flatMap((layout) =>
		[layout.submissionsFile, layout.tasksFile, layout.infoFile].filter((name): name is string => name !== undefined),
	),
]);
