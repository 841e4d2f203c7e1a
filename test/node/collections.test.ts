import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { ProlificEmulator } from '../emulator';
import { COLLECTION_INSTRUCTIONS as I, sampleCollection } from '../fixtures/sample-collection';
import { loadOptions } from '../harness';
import { batchExportNode } from '../support/node';
import { apiCalls, runExport, startEmulator } from '../support/setup';

const ID = sampleCollection.collection_id;
const PER_RESPONSE = '4f5a6b7c-8d9e-4f0a-9b1c-2d3e4f5a6b7d';
const API_SHAPED = '4f5a6b7c-8d9e-4f0a-9b1c-2d3e4f5a6b7e';
const collection = (value: string) => ({ resource: 'collection', collection: { __rl: true, mode: 'id', value } });

let emulator: ProlificEmulator;
before(async () => {
	emulator = await startEmulator();
	emulator.addCollection(sampleCollection);
	emulator.addCollection({ ...sampleCollection, collection_id: PER_RESPONSE }, undefined, { perResponse: true });
	emulator.addCollection({ ...sampleCollection, collection_id: API_SHAPED }, undefined, { perResponse: true, apiShape: true });
});
after(async () => await emulator.close());

const exportCollection = async (id: string, output: string, options: Record<string, unknown> = {}) =>
	await runExport(emulator, { parameters: { ...collection(id), output, options: { pollInterval: 0.02, ...options } } });

const photo = (n: number) => {
	const [path, bytes] = Object.entries(sampleCollection.files)[n];
	return { path, bytes };
};

describe('collections', () => {
	it('export through the collection endpoints: one item per submission, responses by instruction, photos attached', async () => {
		const run = await exportCollection(ID, 'submissions');
		assert.equal(run.status, 'success', run.error?.message);
		assert.ok(apiCalls(emulator).includes(`POST /api/v1/data-collection/collections/${ID}/export`));
		assert.equal(run.items.length, 3);
		const [first] = run.items;
		assert.deepEqual(first.json, {
			submission_id: '67dc00000000000000000c01',
			participant_id: '5f8e7d6c5b4a3928170600c1',
			collection_id: ID,
			created_at: '2026-04-02T09:15:00Z',
			responses: sampleCollection.submissions[0].responses,
			files: [
				{
					binary_property: 'file_0',
					task_id: ID,
					instruction_id: I.photo.id,
					name: 'photo-1.jpg',
					path: photo(0).path,
					size: photo(0).bytes.length,
					status: 'attached',
				},
			],
		});
		run.items.forEach((item, n) => assert.ok(item.binary.file_0.bytes.equals(photo(n).bytes)));
	});

	it('reads responses.jsonl written one line per response (the API’s CollectionResponse shape) the same way', async () => {
		const perSubmission = await exportCollection(ID, 'rows');
		const perResponse = await exportCollection(PER_RESPONSE, 'rows');
		assert.equal(perResponse.status, 'success', perResponse.error?.message);
		// That shape carries a file's path, not the name the participant gave it.
		const withoutNames = ({ 'Upload the photo': _, files: __, ...rest }: Record<string, unknown>) => rest;
		assert.deepEqual(
			perResponse.items.map((item) => withoutNames({ ...item.json, collection_id: ID })),
			perSubmission.items.map((item) => withoutNames(item.json)),
		);
		const name = photo(1).path.slice('files/'.length);
		assert.equal(perResponse.items[1].json['Upload the photo'], name);
		assert.equal(perResponse.items[1].json.files, `file_0: ${name}`);
		assert.ok(perResponse.items[1].binary.file_0.bytes.equals(photo(1).bytes));
	});

	it('collection.json in the API’s shape (instructions in collection_items[].page_items[]): columns and labels are descriptions', async () => {
		const documented = await exportCollection(PER_RESPONSE, 'rows');
		const apiShaped = await exportCollection(API_SHAPED, 'rows');
		assert.equal(apiShaped.status, 'success', apiShaped.error?.message);
		assert.deepEqual(
			apiShaped.items.map((item) => ({ ...item.json, collection_id: PER_RESPONSE })),
			documented.items.map((item) => item.json),
		);
		assert.deepEqual(Object.keys(apiShaped.items[0].json).slice(4, 7), ['Describe a photo you took today', 'Upload the photo', 'Where was it taken?']);
		const summary = (await exportCollection(API_SHAPED, 'summary')).items[0].json as { instructions: Array<{ description: string }> };
		assert.deepEqual(
			summary.instructions.map((instruction) => instruction.description),
			[I.caption.description, I.photo.description, I.place.description],
		);
	});

	it('Rows: one row per submission, named by the collection instead of a task', async () => {
		const run = await exportCollection(ID, 'rows');
		assert.deepEqual(run.items[1].json, {
			submission_id: '67dc00000000000000000c02',
			participant_id: '5f8e7d6c5b4a3928170600c2',
			collection_id: ID,
			created_at: '2026-04-02T11:40:30Z',
			'Describe a photo you took today': 'My desk, two monitors',
			'Upload the photo': 'photo-2.png',
			'Where was it taken?': 'Indoors',
			files: 'file_0: photo-2.png',
		});
	});

	it('Files: one item per photo, routed by collection', async () => {
		const run = await exportCollection(ID, 'files');
		assert.equal(run.items.length, 3);
		const { json } = run.items[2];
		assert.equal(json.collection_id, ID);
		assert.equal(json.collection_name, 'Everyday Photos');
		assert.equal(json.task_id, null);
		assert.equal(json.instruction, 'Upload the photo');
		assert.equal(json.file_name, '67dc00000000000000000c03_photo-3.jpg');
		assert.ok(run.items[2].binary.data.bytes.equals(photo(2).bytes));
	});

	it('Summary and Archive speak of the collection, without tasks', async () => {
		const summary = (await exportCollection(ID, 'summary')).items[0].json;
		assert.equal(summary.collection_id, ID);
		assert.equal(summary.collection_name, 'Everyday Photos');
		assert.equal(summary.submissions, 3);
		assert.equal('tasks' in summary, false);
		assert.match(String(summary.text), /^Everyday Photos: 3 submissions from 3 participants, 3 files \(/);
		// One "task" (the collection) with three answers: kappa there is always -1/(N-1), whatever they say.
		const place = (summary.instructions as Array<Record<string, unknown>>).find((i) => i.id === I.place.id);
		const agreement = place?.agreement as Record<string, unknown>;
		assert.deepEqual(
			[agreement.fleiss_kappa, agreement.reason, agreement.subjects, agreement.raters],
			[null, 'not computed: not enough tasks rated by two or more participants', 1, { min: 3, max: 3 }],
		);
		assert.match(
			String(summary.text),
			/\n• Where was it taken\?: 100% \(κ not computed: not enough tasks rated by two or more participants; majority 67% on average\)$/,
		);
		const archive = (await exportCollection(ID, 'archive')).items[0];
		assert.equal(archive.json.collection_name, 'Everyday Photos');
		assert.match(String(archive.json.file_name), new RegExp(`^${ID}-export-\\d{8}-\\d{6}\\.zip$`));
		assert.equal(archive.json.files, 3);
	});

	it('Tasks is refused for a collection, clearly', async () => {
		const run = await exportCollection(ID, 'tasks');
		assert.equal(run.error?.message, 'A collection has no tasks');
		assert.match(run.error?.description ?? '', /Submissions, Rows, Files, Summary or Archive/);
	});

	it('an unknown collection is named in the error; Start Export uses the collection’s endpoint', async () => {
		const unknown = await exportCollection('9b9b9b9b-1c1c-4d4d-8e8e-0f0f0f0f0f0f', 'submissions');
		assert.equal(unknown.error?.message, 'Collection 9b9b9b9b-1c1c-4d4d-8e8e-0f0f0f0f0f0f not found');
		const started = await runExport(emulator, { parameters: { ...collection(ID), operation: 'startExport' } });
		assert.equal(started.items[0].json.collection_id, ID);
	});

	it('the collection picker lists collections across workspaces', async () => {
		const found = (await loadOptions({
			nodeType: batchExportNode,
			method: 'listSearch',
			name: 'searchCollections',
			credentials: { prolificApi: { apiToken: emulator.token, baseUrl: emulator.apiUrl } },
		})) as { results: Array<{ name: string; value: string }> };
		assert.deepEqual(
			found.results.map((result) => [result.name, result.value]).sort(),
			[
				['Everyday Photos', ID],
				['Everyday Photos', PER_RESPONSE],
				['Everyday Photos', API_SHAPED],
			].sort(),
		);
	});
});
