import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import type { ProlificEmulator } from '../emulator';
import { otherBatch, sampleBatch } from '../fixtures/sample-batch';
import { BATCH_ID } from '../fixtures/sample-expected';
import { loadOptions, testCredential } from '../harness';
import { batchExportNode } from '../support/node';
import { apiCalls, runExport, startEmulator } from '../support/setup';
import { downloads } from '../support/requests';

const UNKNOWN = '9a9a9a9a-1b1b-4c4c-8d8d-0e0e0e0e0e0e';

let emulator: ProlificEmulator;
beforeEach(async () => {
	emulator = await startEmulator();
});
afterEach(async () => await emulator.close());

const posts = () => emulator.requests.filter((r) => r.origin === 'api' && r.method === 'POST');

describe('Prolific API errors', () => {
	it('401: says the token was rejected, with Prolific’s words, and never shows the token', async () => {
		const token = 'wrong-token-5b8e2f0c9a1d7e3f';
		const run = await runExport(emulator, { batchId: BATCH_ID, token });
		assert.equal(run.status, 'error');
		assert.equal(run.error?.message, 'Prolific rejected the API token');
		assert.equal(
			run.error?.description,
			'Prolific says: "Not authenticated: Invalid token". Check the API Token in the Prolific API credential. If the token was deleted, create a new one in Prolific under Settings > API Tokens.',
		);
		assert.equal(run.error?.httpCode, '401');
		assert.ok(!JSON.stringify(run).includes(token), 'the token appears nowhere in the run');
		assert.equal(posts().length, 1, '401 is not retried');
	});

	it('403: says the account has no access to the batch’s workspace', async () => {
		emulator.addBatch({ ...otherBatch, batch_id: UNKNOWN }, undefined, { forbidden: true });
		const run = await runExport(emulator, { batchId: UNKNOWN });
		assert.equal(run.error?.message, 'No access to this batch’s workspace');
		assert.match(run.error?.description ?? '', /^Prolific says: "Permission denied: You do not have access to this batch's workspace". The token's account needs researcher access/);
	});

	it('404: names the unknown batch', async () => {
		const run = await runExport(emulator, { batchId: UNKNOWN });
		assert.equal(run.error?.message, `Batch ${UNKNOWN} not found`);
		assert.equal(run.error?.httpCode, '404');
	});

	it('passes Prolific’s own explanation through for other refusals', async () => {
		emulator.inject({
			route: 'export.request',
			status: 400,
			body: { error: { status: 400, error_code: 140100, title: 'Invalid request', detail: { from: ['Enter a valid date/time.'] } } },
		});
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.error?.message, 'Prolific refused the request (HTTP 400)');
		assert.equal(
			run.error?.description,
			'Prolific says: "Invalid request: from: Enter a valid date/time". Check the node\'s parameters and options.',
		);
	});

	it('rejects a typed batch value that is not a batch ID before calling Prolific', async () => {
		const run = await runExport(emulator, { batchId: 'my batch' });
		assert.equal(run.error?.message, "The 'Prolific Batch Export' node has issues:\n- A batch ID is a UUID");
		assert.equal(emulator.requests.length, 0);
	});

	it('rejects an expression that does not resolve to a batch ID, before calling Prolific', async () => {
		const run = await runExport(emulator, {
			parameters: { batch: { __rl: true, mode: 'id', value: '={{ $json.batch }}' } },
			inputItems: [{ json: { batch: 'my batch' } }],
		});
		assert.equal(run.error?.message, "'my batch' is not a Prolific batch ID");
		assert.match(run.error?.description ?? '', /^A batch ID is a UUID such as/);
		assert.equal(emulator.requests.length, 0);
	});
});

describe('retries', () => {
	it('429 with Retry-After: waits as told, then succeeds', async () => {
		emulator.inject({ route: 'export.request', status: 429, retryAfter: 1 });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		const [first, second] = posts();
		assert.ok(second.at - first.at >= 950, `retried after ${second.at - first.at} ms`);
	});

	it('429 without Retry-After: backs off, then succeeds', async () => {
		emulator.inject({ route: 'export.status', status: 429, times: 2 });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 5);
	});

	it('still 429 at the deadline: a rate-limit error, without sleeping past the timeout', async () => {
		emulator.inject({ route: 'export.request', status: 429, times: 100 });
		const started = Date.now();
		const run = await runExport(emulator, { batchId: BATCH_ID, options: { timeout: 2 } });
		assert.match(run.error?.message ?? '', /^Prolific is rate limiting requests \(\d attempts\)$/);
		assert.match(run.error?.description ?? '', /Wait a few minutes/);
		assert.ok(Date.now() - started < 2_500);
	});

	it('500 then 503: retried, then succeeds', async () => {
		emulator.inject({ route: 'export.request', status: 500 });
		emulator.inject({ route: 'export.request', status: 503, body: '<html>Service Unavailable</html>' });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(posts().length, 3);
	});

	it('a persistent 502: a server-error message after the retries', async () => {
		emulator.inject({ route: 'export.status', status: 502, times: 100 });
		const run = await runExport(emulator, { batchId: BATCH_ID, options: { timeout: 1.5 } });
		assert.match(run.error?.message ?? '', /^Prolific answered with a server error \(HTTP 502\) \(\d attempts\)$/);
	});

	it('a connection reset on a status check is retried', async () => {
		emulator.inject({ route: 'export.status', reset: 'before-headers' });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 5);
	});

	it('a download cut off mid-body is downloaded again, with identical output', async () => {
		const clean = await runExport(emulator, { batchId: BATCH_ID });
		emulator.inject({ route: 'download', reset: 'mid-body' });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		assert.deepEqual(
			run.items.map((item) => item.json),
			clean.items.map((item) => item.json),
		);
		assert.ok(run.items[2].binary.file_1.bytes.equals(clean.items[2].binary.file_1.bytes));
		assert.equal(downloads(emulator).length, 3);
	});

	it('an unreachable API: says where it tried and what to check', async () => {
		const { apiUrl } = emulator;
		await emulator.close();
		const run = await runExport(emulator, { batchId: BATCH_ID, baseUrl: apiUrl });
		assert.equal(run.error?.message, `Could not reach Prolific at ${apiUrl} (connection refused)`);
		assert.match(run.error?.description ?? '', /Check the Base URL/);
		emulator = await startEmulator();
	});
});

describe('several input items', () => {
	it('exports the batch each item names; a failing item becomes an error item under continue on fail', async () => {
		const run = await runExport(emulator, {
			parameters: { batch: { __rl: true, mode: 'id', value: '={{ $json.batch }}' }, output: 'rows', includeFiles: false },
			inputItems: [{ json: { batch: BATCH_ID } }, { json: { batch: UNKNOWN } }, { json: { batch: otherBatch.batch_id } }],
			run: { continueOnFail: true },
		});
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 20 + 1 + 2);
		assert.deepEqual(run.items[20].json, {
			error: `Batch ${UNKNOWN} not found`,
			description: `Prolific says: "Not Found: Batch not found". Check the ID, and that the token's account can see it in Prolific.`,
		});
		assert.deepEqual(
			run.items.map((item) => (item.pairedItem as { item: number }).item),
			[...Array(20).fill(0), 1, 2, 2],
		);
		assert.equal(run.items[21].json['Is the caption accurate?'], 'true');
	});

	it('without continue on fail, the first failing item stops the run with its error', async () => {
		const run = await runExport(emulator, {
			parameters: { batch: { __rl: true, mode: 'id', value: '={{ $json.batch }}' } },
			inputItems: [{ json: { batch: UNKNOWN } }, { json: { batch: BATCH_ID } }],
		});
		assert.equal(run.status, 'error');
		assert.equal(run.error?.message, `Batch ${UNKNOWN} not found`);
	});

	it('takes the batch ID out of a pasted Prolific URL', async () => {
		const run = await runExport(emulator, {
			parameters: {
				batch: {
					__rl: true,
					mode: 'url',
					value: `https://app.prolific.com/researcher/workspaces/65f1c0a2b3d4e5f601234567/ai-task-builder/batches/${BATCH_ID}/results`,
				},
			},
		});
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 5);
	});
});

describe('credential and batch list', () => {
	it('the credential test passes with a good token and fails with a wrong one', async () => {
		assert.deepEqual(await testCredential({ apiToken: emulator.token, baseUrl: emulator.apiUrl }), {
			status: 'OK',
			message: 'Connection successful!',
		});
		const wrong = await testCredential({ apiToken: 'nope', baseUrl: `${emulator.apiUrl}/` });
		assert.equal(wrong.status, 'Error');
		assert.match(wrong.message, /^Invalid token: Prolific rejected it/);
		assert.ok(apiCalls(emulator).every((call) => call === 'GET /api/v1/users/me/'));
	});

	it('lists the batches of every workspace, newest first, with their status, and filters by name', async () => {
		const credentials = { prolificApi: { apiToken: emulator.token, baseUrl: emulator.apiUrl } };
		const all = (await loadOptions({ nodeType: batchExportNode, method: 'listSearch', name: 'searchBatches', credentials })) as {
			results: Array<{ name: string; value: string; description?: string }>;
		};
		assert.deepEqual(
			all.results.map((result) => [result.name, result.value, result.description]),
			[
				['Shelf Photos (in progress) (Processing)', '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a', 'Workspace: Retail Research'],
				['Product Image Annotation (Ready)', sampleBatch.batch_id, 'Workspace: Retail Research'],
				['Caption Check Pilot (Ready)', otherBatch.batch_id, 'Workspace: Lab Pilot Studies'],
			],
		);
		const filtered = (await loadOptions({
			nodeType: batchExportNode,
			method: 'listSearch',
			name: 'searchBatches',
			filter: 'caption',
			credentials,
		})) as { results: Array<{ value: string }> };
		assert.deepEqual(
			filtered.results.map((result) => result.value),
			[otherBatch.batch_id],
		);
	});
});
