import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import type { ProlificEmulator } from '../emulator';
import { BATCH_ID, SUBMISSION } from '../fixtures/sample-expected';
import { apiCalls, runExport, startEmulator } from '../support/setup';
import { downloads as downloadsOf, EXPORT_PATH } from '../support/requests';

const EXPORT = EXPORT_PATH(BATCH_ID);

let emulator: ProlificEmulator;
beforeEach(async () => {
	emulator = await startEmulator({ pollsUntilComplete: 2 });
});
afterEach(async () => await emulator.close());

const statusChecks = () => apiCalls(emulator).filter((call) => call.startsWith(`GET ${EXPORT}/`)).length;
const downloads = () => downloadsOf(emulator);

describe('behaviour A (export guide): 202 generating, then an idempotent 200 complete', () => {
	it('requests, polls until complete, downloads', async () => {
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 5);
		assert.deepEqual(apiCalls(emulator)[0], `POST ${EXPORT}`);
		assert.equal(statusChecks(), 3, 'two generating answers, then complete');
		assert.equal(downloads().length, 1);
	});

	it('downloads at once when the POST answers complete: no status polls', async () => {
		await runExport(emulator, { batchId: BATCH_ID });
		emulator.requests.length = 0; // keep the finished job, forget the requests
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		assert.deepEqual(apiCalls(emulator), [`POST ${EXPORT}`]);
		assert.equal(downloads().length, 1);
		assert.equal(run.items.length, 5);
	});

	it('waits the poll interval between status checks', async () => {
		const run = await runExport(emulator, { batchId: BATCH_ID, options: { pollInterval: 0.2 } });
		assert.equal(run.status, 'success', run.error?.message);
		const polls = emulator.requests.filter((r) => r.method === 'GET' && r.path.startsWith(`${EXPORT}/`));
		for (let n = 1; n < polls.length; n++) {
			assert.ok(polls[n].at - polls[n - 1].at >= 190, `poll ${n} came ${polls[n].at - polls[n - 1].at} ms after the last`);
		}
		const complete = polls.at(-1)!;
		assert.ok(downloads()[0].at - complete.at < 200, 'the download starts within one poll interval of complete');
	});
});

describe('behaviour B (newer reference): always 202, filters, a fresh job each time', () => {
	beforeEach(() => {
		emulator.behaviour = 'B';
	});

	it('polls a new job on every run, and deletes each once downloaded', async () => {
		for (let n = 0; n < 2; n++) {
			const run = await runExport(emulator, { batchId: BATCH_ID });
			assert.equal(run.status, 'success', run.error?.message);
			assert.equal(run.items.length, 5);
		}
		assert.equal(apiCalls(emulator).filter((call) => call === `POST ${EXPORT}`).length, 2);
		assert.equal(apiCalls(emulator).filter((call) => call.startsWith(`DELETE ${EXPORT}/`)).length, 2);
		assert.deepEqual(emulator.jobs(BATCH_ID), []);
		assert.equal(statusChecks(), 6);
	});

	it('sends study ID, from and to as filters, dates in UTC from the workflow time zone', async () => {
		const run = await runExport(emulator, {
			batchId: BATCH_ID,
			options: { studyId: ' 65f1c0a2b3d4e5f6a7b8c9d0 ', from: '2026-03-19T13:00:00', to: '2026-03-19T23:00:00' },
			run: { timezone: 'Europe/Berlin' },
		});
		assert.equal(run.status, 'success', run.error?.message);
		const post = emulator.requests.find((r) => r.method === 'POST')!;
		assert.deepEqual(post.query, {
			study_id: '65f1c0a2b3d4e5f6a7b8c9d0',
			from: '2026-03-19T12:00:00Z',
			to: '2026-03-19T22:00:00Z',
		});
		// Submissions made 13:05, 16:30 and 21:58 UTC fall inside the window.
		assert.deepEqual(
			run.items.map((item) => item.json.submission_id),
			SUBMISSION.slice(2),
		);
	});
});

describe('failed exports', () => {
	it('requests the export again after a failure and succeeds', async () => {
		emulator.inject({ route: 'export.status', exportFailed: true });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 5);
		assert.equal(apiCalls(emulator).filter((call) => call === `POST ${EXPORT}`).length, 2);
	});

	it('gives up after the retry count with a clear error', async () => {
		emulator.inject({ route: 'export.status', exportFailed: true, times: 3 });
		const run = await runExport(emulator, { batchId: BATCH_ID, options: { failedRetries: 2 } });
		assert.equal(run.status, 'error');
		assert.equal(run.error?.message, `Prolific could not generate the export of batch ${BATCH_ID} (failed 3 times)`);
		assert.match(run.error?.description ?? '', /Retries for Failed Exports/);
		assert.equal(apiCalls(emulator).filter((call) => call === `POST ${EXPORT}`).length, 3);
		assert.equal(downloads().length, 0);
	});
});

describe('timeout and cancellation', () => {
	it('stops at the deadline, never sleeping past it, and says what to do', async () => {
		emulator.pollsUntilComplete = 1_000;
		const started = Date.now();
		const run = await runExport(emulator, { batchId: BATCH_ID, options: { pollInterval: 0.25, timeout: 0.6 } });
		const took = Date.now() - started;
		assert.equal(run.status, 'error');
		assert.match(run.error?.message ?? '', new RegExp(`^The export of batch ${BATCH_ID} was not ready after 0\\.6 s \\(\\d status checks\\)$`));
		const exportId = emulator.jobs(BATCH_ID)[0].export_id;
		assert.match(run.error?.description ?? '', new RegExp(`export ID ${exportId}.*Raise the 'Timeout' option`));
		assert.ok(took < 1_500, `took ${took} ms`);
	});

	it('ends within the Timeout when each status answer is slow: a request in flight gets only what is left', async () => {
		emulator.pollsUntilComplete = 1_000;
		emulator.inject({ route: 'export.status', delayMs: 2_400, times: 10 });
		const started = Date.now();
		const run = await runExport(emulator, { batchId: BATCH_ID, options: { pollInterval: 0.25, timeout: 3 } });
		const took = Date.now() - started;
		assert.equal(run.status, 'error');
		assert.match(run.error?.message ?? '', new RegExp(`^The export of batch ${BATCH_ID} was not ready after 3 s \\(2 status checks\\)$`));
		assert.ok(took < 5_000, `took ${took} ms`);
	});

	it('returns within a second when the execution is cancelled mid-wait', async () => {
		emulator.pollsUntilComplete = 1_000;
		const started = Date.now();
		const run = await runExport(emulator, {
			batchId: BATCH_ID,
			options: { pollInterval: 30 },
			run: { cancelAfterMs: 300 },
		});
		const took = Date.now() - started;
		assert.equal(run.status, 'canceled');
		assert.ok(took < 1_300, `took ${took} ms`);
		assert.equal(downloads().length, 0);
	});
});

describe('export IDs in answers', () => {
	it("refuses an export ID that would change the URL path ('..'), naming it, without requesting it", async () => {
		emulator.inject({ route: 'export.request', status: 202, body: { status: 'generating', export_id: '..' } });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'error');
		assert.equal(run.error?.message, 'Prolific answered with an export ID that is not one: ".."');
		assert.match(run.error?.description ?? '', /letters, digits, - and _/);
		assert.deepEqual(apiCalls(emulator), [`POST ${EXPORT}`]);
	});
});

describe('download links', () => {
	it('fetches a fresh link from the status endpoint when the storage host refuses one', async () => {
		emulator.inject({ route: 'download', status: 403 });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 5);
		assert.equal(downloads().length, 2);
		assert.equal(statusChecks(), 4, 'three polls, then one more for a fresh link');
	});

	it('tries a link whatever its expires_at says, and refreshes it once the storage host refuses it', async () => {
		emulator.inject({ route: 'export.status', expireUrl: true });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(downloads().length, 2, 'this machine’s clock is not the judge: the storage host is');
		assert.equal(statusChecks(), 4);
	});

	it('asks again by POST when an immediate complete (no export ID) hands out a refused link', async () => {
		await runExport(emulator, { batchId: BATCH_ID });
		emulator.requests.length = 0; // keep the finished job, forget the requests
		emulator.inject({ route: 'download', status: 403 });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		assert.deepEqual(apiCalls(emulator), [`POST ${EXPORT}`, `POST ${EXPORT}`]);
	});

	it('gives up with a clear error when fresh links keep being refused', async () => {
		emulator.inject({ route: 'download', status: 403, times: 10 });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'error');
		assert.match(run.error?.message ?? '', /kept being refused, even after 2 fresh links/);
		assert.equal(downloads().length, 3);
	});

	it('never sends the token to the download host', async () => {
		const run = await runExport(emulator, { batchId: BATCH_ID, output: 'archive' });
		assert.equal(run.status, 'success', run.error?.message);
		const [download] = downloads();
		assert.equal(download.headers.authorization, undefined);
		assert.ok(!JSON.stringify(download.headers).includes(emulator.token));
		for (const request of emulator.requests.filter((r) => r.origin === 'api')) {
			assert.equal(request.headers.authorization, `Token ${emulator.token}`);
			assert.match(request.headers['user-agent'], /^n8n-nodes-prolific\//);
		}
	});

	it('refuses a plain-HTTP link to another host, without requesting it', async () => {
		emulator.advertisedDownloadOrigin = 'http://downloads.example.test';
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'error');
		assert.equal(run.error?.message, 'Prolific handed out a download link that is not HTTPS');
		assert.equal(downloads().length, 0);
	});
});
