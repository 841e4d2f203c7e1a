import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import type { EmulatorOptions, ProlificEmulator } from '../emulator';
import { sampleCollection } from '../fixtures/sample-collection';
import { sampleBatch } from '../fixtures/sample-batch';
import { loadOptions } from '../harness';
import { batchExportNode } from '../support/node';
import { runExport, startEmulator } from '../support/setup';

/** The batch and collection pickers against servers that page, refuse and answer slowly as real ones may. */

interface Listed {
	results: Array<{ name: string; value: string; description?: string }>;
	paginationToken?: string;
}

let emulator: ProlificEmulator | undefined;
afterEach(async () => await emulator?.close());

/** The sample workspaces and batches, plus `extra` workspaces holding one batch each. */
async function start(options: EmulatorOptions = {}, extra = 0): Promise<ProlificEmulator> {
	emulator = await startEmulator(options);
	for (let n = 0; n < extra; n++) {
		const id = `ws-extra-${String(n).padStart(2, '0')}`;
		emulator.addWorkspace({ id, title: `Extra ${n}` });
		const batchId = `${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`;
		emulator.addBatch({ ...sampleBatch, batch_id: batchId, name: `Extra batch ${n}`, workspace_id: id, created_at: `2025-01-${String(n + 1).padStart(2, '0')}T00:00:00Z` });
	}
	return emulator;
}

const pick = async (server: ProlificEmulator, name: 'searchBatches' | 'searchCollections', paginationToken?: string, filter?: string) =>
	(await loadOptions({
		nodeType: batchExportNode,
		method: 'listSearch',
		name,
		paginationToken,
		filter,
		credentials: { prolificApi: { apiToken: server.token, baseUrl: server.apiUrl } },
	})) as Listed;

/** Every page of the picker, as the editor fetches them while the user scrolls. */
async function pickAll(server: ProlificEmulator, name: 'searchBatches' | 'searchCollections'): Promise<Listed['results']> {
	const all: Listed['results'] = [];
	let token: string | undefined;
	do {
		const page = await pick(server, name, token);
		all.push(...page.results);
		token = page.paginationToken;
	} while (token);
	return all;
}

describe('a workspace that cannot be read does not empty the list', () => {
	it('collections not enabled on one workspace: the others are listed, and the list says which one', async () => {
		const server = await start();
		server.addWorkspace({ id: 'ws-no-collections', title: 'Early Access Pending' }, { collections: 403 });
		server.addCollection(sampleCollection);
		const { results } = await pick(server, 'searchCollections');
		assert.deepEqual(
			results.map((result) => [result.name, result.value]),
			[
				['Everyday Photos', sampleCollection.collection_id],
				['⚠ Not listed: No access to the collections of workspace Early Access Pending: the feature is not enabled there (HTTP 403)', ''],
			],
		);
		assert.match(results[1].description ?? '', /^Prolific says: "Permission denied: Collections are not enabled for this workspace"\. Prolific enables some features/);
	});

	it('a workspace you were removed from (403) or that is gone (404)', async () => {
		const server = await start();
		server.addWorkspace({ id: 'ws-removed', title: 'Old Team' }, { batches: 403 });
		server.addWorkspace({ id: 'ws-gone', title: 'Gone Team' }, { batches: 404 });
		const { results } = await pick(server, 'searchBatches');
		assert.equal(results.filter((result) => result.value !== '').length, 3);
		assert.deepEqual(
			results.filter((result) => result.value === '').map((result) => result.name),
			[
				'⚠ Not listed: No access to the batches of workspace Old Team (HTTP 403)',
				'⚠ Not listed: The batches of workspace Gone Team were not found (HTTP 404)',
			],
		);
	});
});

describe('paging as Prolific’s CLI does (limit / offset)', () => {
	it('follows pages until meta.count when the server answers fewer than asked', async () => {
		const server = await start({ maxPageSize: 2 }, 3);
		const all = await pickAll(server, 'searchBatches');
		assert.equal(all.length, 6, all.map((result) => result.name).join(', '));
		const asked = server.requests.filter((r) => r.path.startsWith('/api/v1/workspaces'));
		assert.deepEqual(
			asked.slice(0, 3).map((r) => [r.query.limit, r.query.offset]),
			[
				['200', '0'],
				['200', '2'],
				['200', '4'],
			],
		);
	});

	it('a server that ignores offset: each list asked once more at most, nothing repeated', async () => {
		const server = await start({ maxPageSize: 1, ignoreOffset: true }, 0);
		const { results } = await pick(server, 'searchBatches');
		// Only the first record of each list can be had; none twice.
		assert.deepEqual(
			results.map((result) => result.value),
			[...new Set(results.map((result) => result.value))],
		);
		assert.ok(server.requests.length <= 2 + 2 * 2, `${server.requests.length} requests`);
	});
});

describe('many workspaces', () => {
	it('asked a few at a time, a page of workspaces per paginationToken', async () => {
		const server = await start({}, 22);
		// Every workspace's list answers after 300 ms.
		server.inject({ route: 'batches', delayMs: 300, times: 100 });
		const started = performance.now();
		const first = await pick(server, 'searchBatches');
		const took = performance.now() - started;
		assert.ok(took < 1_500, `10 workspaces at 300 ms each took ${Math.round(took)} ms: not one after another`);
		assert.equal(first.paginationToken, '10');
		const all = await pickAll(server, 'searchBatches');
		assert.equal(all.length, 3 + 22);
		assert.equal(new Set(all.map((result) => result.value)).size, 25);
	});

	it('the filter applies to every page', async () => {
		const server = await start({}, 12);
		const page = await pick(server, 'searchBatches', '10', 'extra batch 11');
		assert.deepEqual(
			page.results.map((result) => result.name),
			['Extra batch 11 (Ready)'],
		);
	});
});

describe('errors say what was refused', () => {
	it('a collection’s export refused: the collection’s workspace, not a batch’s', async () => {
		const server = await start();
		server.addCollection(sampleCollection);
		server.inject({ route: 'export.request', status: 403 });
		const run = await runExport(server, {
			parameters: { resource: 'collection', collection: { __rl: true, mode: 'id', value: sampleCollection.collection_id } },
		});
		assert.equal(run.error?.message, 'No access to this collection’s workspace');
	});

	it('the list of workspaces refused', async () => {
		const server = await start();
		server.inject({ route: 'workspaces', status: 403 });
		await assert.rejects(pick(server, 'searchBatches'), { message: 'No access to the list of your workspaces' });
	});
});
