import type { ExportTarget, Resource } from './types';

/** How the API and the items name each resource. Its archive's files: archive/layout.ts. */
export const RESOURCES = {
	batch: { label: 'batch', apiPath: 'batches', idKey: 'batch_id', nameKey: 'batch_name' },
	collection: { label: 'collection', apiPath: 'collections', idKey: 'collection_id', nameKey: 'collection_name' },
} satisfies Record<Resource, unknown>;

/** "batch 0192…" or "collection 0192…", for messages. */
export function describeTarget(target: ExportTarget): string {
	return `${RESOURCES[target.resource].label} ${target.id}`;
}

/** The same at the start of a sentence: "Batch 0192…". */
export function capitalised(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}
