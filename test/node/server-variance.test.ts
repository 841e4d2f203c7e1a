import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import type { EmulatorOptions, ProlificEmulator } from '../emulator';
import { BATCH_ID, SUBMISSION } from '../fixtures/sample-expected';
import { runExport, startEmulator } from '../support/setup';
import { downloads, EXPORT_PATH } from '../support/requests';

/**
 * Where a real Prolific server may answer differently from the emulator's defaults: each variance
 * is an emulator option, and the node must give the user the same data on every one.
 */

const EXPORT = EXPORT_PATH(BATCH_ID);
const batch = { __rl: true, mode: 'id', value: BATCH_ID };

let emulator: ProlificEmulator | undefined;
afterEach(async () => await emulator?.close());
const start = async (options: EmulatorOptions) => (emulator = await startEmulator(options));

const SERVERS: Array<[string, EmulatorOptions]> = [
	['the export guide’s server (A: no filters)', { behaviour: 'A' }],
	['a server that filters (B)', { behaviour: 'B' }],
	['a server that takes the filters and ignores them (B)', { behaviour: 'B', ignoreFilters: true }],
];

const STUDY_HINT = (study: string) => ({
	message: `Batch ${BATCH_ID}: Prolific did not apply the Study ID filter (${study}): this server exports every submission of the batch, so these items are not limited to that study. Submissions carry no study ID, so the node cannot filter them itself.`,
	type: 'warning',
	location: 'outputPane',
});

describe('From / To: the same submissions whether or not the server applies them', () => {
	// Inclusive at both ends: 10:47:55 and 16:30:00 are the second and fourth submissions' times.
	const window = { from: '2026-03-19T10:47:55', to: '2026-03-19T16:30:00' };
	for (const [name, options] of SERVERS) {
		for (const output of ['submissions', 'rows', 'files', 'summary'] as const) {
			it(`${name}: ${output}`, async () => {
				const server = await start(options);
				const run = await runExport(server, { batchId: BATCH_ID, output, options: window });
				assert.equal(run.status, 'success', run.error?.message);
				const submissions = SUBMISSION.slice(1, 4);
				if (output === 'summary') {
					assert.equal(run.items[0].json.submissions, 3);
					assert.equal(run.items[0].json.first_submission_at, '2026-03-19T10:47:55Z');
					assert.equal(run.items[0].json.last_submission_at, '2026-03-19T16:30:00Z');
				} else {
					assert.deepEqual([...new Set(run.items.map((item) => item.json.submission_id))], submissions);
				}
				if (output === 'files') assert.ok(run.items.every((item) => item.json.unreferenced === false));
				assert.deepEqual(run.hints, []);
			});
		}
		it(`${name}: tasks keep only the responses inside the window`, async () => {
			const server = await start(options);
			const run = await runExport(server, { batchId: BATCH_ID, output: 'tasks', includeFiles: false, options: window });
			const answered = new Set(run.items.flatMap((item) => (item.json.responses as Array<{ submission_id: string }>).map((r) => r.submission_id)));
			assert.deepEqual([...answered].sort(), SUBMISSION.slice(1, 4));
		});
	}
});

describe('Study ID: a warning when the server shows it did not apply it', () => {
	const expected: Record<string, boolean> = {
		[SERVERS[0][0]]: true,
		[SERVERS[1][0]]: false,
		[SERVERS[2][0]]: true,
	};
	for (const [name, options] of SERVERS) {
		it(`${name}: ${expected[name] ? 'warns' : 'no warning'}`, async () => {
			const server = await start(options);
			const run = await runExport(server, { batchId: BATCH_ID, includeFiles: false, options: { studyId: 'study-1' } });
			assert.equal(run.status, 'success', run.error?.message);
			assert.equal(run.items.length, 5);
			assert.deepEqual(run.hints, expected[name] ? [STUDY_HINT('study-1')] : []);
		});
	}
});

describe('Download Export after the job failed asks again with the filters Start Export used', () => {
	const step = async (server: ProlificEmulator, operation: string, parameters: Record<string, unknown> = {}) =>
		await runExport(server, { parameters: { operation, batch, ...parameters } });

	it('with no options of its own, it takes the failed job’s filters', async () => {
		const server = await start({ behaviour: 'B' });
		const filters = { studyId: 'study-1', from: '2026-03-19T13:00:00' };
		const exportId = String((await step(server, 'startExport', { options: filters })).items[0].json.export_id);
		server.inject({ route: 'export.status', exportFailed: true });
		const run = await step(server, 'downloadExport', { exportId, includeFiles: false, options: { pollInterval: 0.02 } });
		assert.equal(run.status, 'success', run.error?.message);
		const posts = server.requests.filter((r) => r.method === 'POST');
		assert.deepEqual(posts.at(-1)?.query, { study_id: 'study-1', from: '2026-03-19T13:00:00Z' });
		assert.deepEqual(
			run.items.map((item) => item.json.submission_id),
			SUBMISSION.slice(2),
		);
	});

	it('its own From / To options apply on a server without filters too', async () => {
		const server = await start({ behaviour: 'A' });
		const exportId = String((await step(server, 'startExport')).items[0].json.export_id);
		const run = await step(server, 'downloadExport', { exportId, includeFiles: false, options: { from: '2026-03-19T13:00:00' } });
		assert.deepEqual(
			run.items.map((item) => item.json.submission_id),
			SUBMISSION.slice(2),
		);
	});
});

describe('statuses the docs do not name: still in progress until complete or failed', () => {
	for (const status of ['queued', 'pending', 'processing', 'PROCESSING', 'GENERATING']) {
		it(`'${status}'`, async () => {
			const server = await start({ behaviour: 'B', inProgressStatus: status, pollsUntilComplete: 2 });
			const run = await runExport(server, { batchId: BATCH_ID, includeFiles: false });
			assert.equal(run.status, 'success', run.error?.message);
			assert.equal(run.items.length, 5);
		});
	}

	it('the Timeout’s error names the last status', async () => {
		const server = await start({ behaviour: 'B', inProgressStatus: 'queued', pollsUntilComplete: 1_000 });
		const run = await runExport(server, { batchId: BATCH_ID, options: { timeout: 0.3 } });
		assert.match(run.error?.message ?? '', new RegExp(`^The export of batch ${BATCH_ID} was not ready after 0.3 s \\(\\d+ status checks\\)$`));
		const [job] = server.jobs(BATCH_ID);
		assert.equal(
			run.error?.description,
			`Prolific last said 'queued' (export ID ${job.export_id}). Raise the 'Timeout' option, or run the node again later: Prolific hands back the same export instead of starting over.`,
		);
	});
});

describe('clocks: a link is tried whatever this machine’s clock says', () => {
	for (const [name, clockOffsetSeconds] of [
		['this machine an hour fast', -3_700],
		['this machine a day slow', 86_400],
	] as const) {
		it(name, async () => {
			const server = await start({ behaviour: 'B', clockOffsetSeconds, urlTtlSeconds: 3_600 });
			const run = await runExport(server, { batchId: BATCH_ID, includeFiles: false });
			assert.equal(run.status, 'success', run.error?.message);
			assert.equal(run.items.length, 5);
			assert.equal(downloads(server).length, 1);
		});
	}

	it('a link the storage host refuses is still replaced by a fresh one', async () => {
		const server = await start({ behaviour: 'B' });
		server.inject({ route: 'export.status', expireUrl: true });
		const run = await runExport(server, { batchId: BATCH_ID, includeFiles: false });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(
			server.requests.filter((r) => r.method === 'GET' && r.path.startsWith(`${EXPORT}/`)).length,
			3,
			'generating, complete with a refused link, complete again',
		);
		assert.equal(downloads(server).length, 2);
	});
});
