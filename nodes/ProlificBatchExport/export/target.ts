/**
 * What is exported: an AI Task Builder batch, or a collection (participants submit their own
 * content). Both export through the same request, poll and download flow; their archives
 * differ in the names of the records and metadata files.
 */
export type Resource = 'batch' | 'collection';

export interface ExportTarget {
	resource: Resource;
	id: string;
}

export const RESOURCES = {
	batch: {
		label: 'batch',
		path: 'batches',
		idKey: 'batch_id',
		nameKey: 'batch_name',
		submissionsFile: 'responses-by-submission.jsonl',
		tasksFile: 'responses-by-task.jsonl' as string | undefined,
		infoFile: 'batch.json',
	},
	collection: {
		label: 'collection',
		path: 'collections',
		idKey: 'collection_id',
		nameKey: 'collection_name',
		submissionsFile: 'responses.jsonl',
		tasksFile: undefined as string | undefined,
		infoFile: 'collection.json',
	},
} satisfies Record<Resource, unknown>;

/** "batch 0192…" or "collection 0192…", for messages. */
export function named(target: ExportTarget): string {
	return `${RESOURCES[target.resource].label} ${target.id}`;
}

/** "Batch 0192…" */
export function Named(target: ExportTarget): string {
	const text = named(target);
	return text.charAt(0).toUpperCase() + text.slice(1);
}
