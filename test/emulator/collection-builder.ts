import JSZip from 'jszip';

import type { InstructionSpec, Response } from './archive-builder';

export interface CollectionSubmissionSpec {
	submission_id: string;
	participant_id: string;
	created_at: string;
	/** instruction_id -> response: a collection has no tasks */
	responses: Record<string, Response>;
}

export interface CollectionSpec {
	collection_id: string;
	name: string;
	workspace_id: string;
	created_at?: string;
	exported_at: string;
	instructions: InstructionSpec[];
	submissions: CollectionSubmissionSpec[];
	/** archive path -> bytes */
	files: Record<string, Buffer>;
}

export interface CollectionArchiveOptions {
	/**
	 * Write responses.jsonl one line per response, in the shape of the API's CollectionResponse
	 * ({id, submission_id, response: {instruction_id, type, answer: [{value}]}}), instead of one
	 * line per submission. Prolific does not document which; the node must read both.
	 */
	perResponse?: boolean;
	/**
	 * Write collection.json in the API's Collection shape: no top-level `instructions`, but pages
	 * (`collection_items[].page_items[]`) holding the instructions between content blocks.
	 */
	apiShape?: boolean;
}

/** A collection's export: responses.jsonl, collection.json, README.md and files/. Deterministic. */
export async function buildCollectionArchive(spec: CollectionSpec, opts: CollectionArchiveOptions = {}): Promise<Buffer> {
	const lines = opts.perResponse ? perResponseLines(spec) : perSubmissionLines(spec);
	const entries = new Map<string, Buffer | string>([
		['responses.jsonl', lines.map((line) => JSON.stringify(line) + '\n').join('')],
		['collection.json', JSON.stringify(opts.apiShape ? apiCollection(spec) : documentedCollection(spec), null, 2) + '\n'],
		['README.md', `# ${spec.name}\n\nExport of collection ${spec.collection_id}, generated ${spec.exported_at}.\n`],
		...Object.entries(spec.files),
	]);
	const zip = new JSZip();
	const date = new Date(spec.exported_at);
	for (const [name, data] of entries) zip.file(name, data, { date, createFolders: false });
	return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

function documentedCollection(spec: CollectionSpec) {
	return { collection_id: spec.collection_id, name: spec.name, exported_at: spec.exported_at, instructions: spec.instructions };
}

/** One page per instruction, each opened by a rich-text block, as the API's Collection schema has it. */
function apiCollection(spec: CollectionSpec) {
	const created_at = spec.created_at ?? spec.exported_at;
	return {
		id: spec.collection_id,
		name: spec.name,
		workspace_id: spec.workspace_id,
		created_at,
		schema_version: 1,
		task_details: { task_name: spec.name, task_introduction: '', task_steps: '' },
		collection_items: spec.instructions.map((instruction, page) => ({
			id: `00000000-0000-4000-9000-${String(page).padStart(12, '0')}`,
			created_at,
			schema_version: 1,
			page_items: [
				{ type: 'rich_text', id: `00000000-0000-4000-a000-${String(page).padStart(12, '0')}`, content: `<p>Page ${page + 1}</p>` },
				{ ...instruction, created_at, order: 0 },
			],
		})),
	};
}

function perSubmissionLines(spec: CollectionSpec) {
	return spec.submissions.map(({ submission_id, participant_id, created_at, responses }) => ({
		submission_id,
		participant_id,
		collection_id: spec.collection_id,
		created_at,
		responses,
	}));
}

function perResponseLines(spec: CollectionSpec) {
	return spec.submissions.flatMap(({ submission_id, participant_id, created_at, responses }, s) =>
		Object.entries(responses).map(([instruction_id, response], r) => ({
			id: `00000000-0000-4000-8000-${String(s * 100 + r).padStart(12, '0')}`,
			created_at,
			collection_id: spec.collection_id,
			participant_id,
			submission_id,
			response: { instruction_id, type: response.type, answer: answerOf(response) },
		})),
	);
}

/** The API's answer list for a response of each documented type. */
function answerOf(response: Response): Array<{ value: unknown }> {
	if (Array.isArray(response.files)) return response.files.map((file) => ({ value: (file as { path: string }).path }));
	if (Array.isArray(response.values)) return response.values.map((value) => ({ value }));
	return [{ value: response.value }];
}
