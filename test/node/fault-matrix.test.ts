import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import type { IDataObject } from 'n8n-workflow';

import type { EmulatorOptions, Fault, ProlificEmulator, RecordedRequest } from './emulator';
import { BATCH_ID } from './fixtures/sample-expected';
import type { RunResult } from './harness';
import { DAMAGED, RUN_AGAIN } from './support/hints';
import { credentialsAtDownload, secretInRequests, secretInRun } from './support/secrets';
import { runExport, startEmulator } from './support/setup';
import { outputOf, type Output } from './support/output';

/**
 * Every fault the emulator can inject, alone and combined, at each step of an export. Each
 * scenario either recovers with output identical to a clean run (every item's JSON, every
 * binary's name and bytes) or fails with the error written out below from the transport and
 * lifecycle code. Scenarios run in their own emulator, several at once: most of their time is
 * spent in backoff sleeps.
 */

const EXPORT = `/api/v1/data-collection/batches/${BATCH_ID}/export`;
const STATUS = new RegExp(`^${EXPORT}/[^/]+$`);

// Descriptions, as transport/index.ts, export/lifecycle.ts and archive/reader.ts write them.
const says = (text: string) => `Prolific says: "${text}". `;
const HINT = {
	token: 'Check the API Token in the Prolific API credential. If the token was deleted, create a new one in Prolific under Settings > API Tokens.',
	access:
		"The token's account needs researcher access to the workspace that owns the batch. Ask a workspace admin to add you, or use a token of an account that has access.",
	notFound: "Check the ID, and that the token's account can see it in Prolific.",
	rateLimit: 'Wait a few minutes before running again, or run this workflow less often.',
	outage: 'Prolific may be having an outage. Run the workflow again later.',
	refused: "Check the node's parameters and options.",
	jobLimit:
		"Delete finished jobs (List Export Jobs, then Delete Export Job), turn on the 'Free Export Slot at Job Limit' option, or wait until running exports finish.",
	unreachable:
		'Check the Base URL in the Prolific API credential and that this n8n instance can reach it. If it worked before, the connection was cut: run the workflow again.',
	failed:
		"Prolific's export job failed. Run the node again later, or raise the 'Retries for Failed Exports' option. If it keeps failing, report the batch ID to Prolific support.",
	stillGenerating: (exportId: string) =>
		`Prolific is still generating it (export ID ${exportId}). Raise the 'Timeout' option, or run the node again later: Prolific hands back the same export instead of starting over.`,
	clock: "Check that this machine's clock is right (links are time-limited), then run the node again.",
	storage: 'The storage host did not deliver the archive. Run the workflow again; the export itself is kept by Prolific.',
	unreadable: RUN_AGAIN,
	damaged: DAMAGED,
};
const JOB_LIMIT = `Batch ${BATCH_ID} already has as many export jobs as Prolific allows`;
const CAP_DETAIL = (jobs: number) =>
	`Export limit reached: This batch already has ${jobs} export jobs. Delete an existing export job before requesting a new one`;

interface Outcome {
	apiUrl: string;
	token: string;
	run: RunResult;
	requests: RecordedRequest[];
	/** export IDs the emulator handed out, oldest first */
	exportIds: string[];
	count: Record<'post' | 'status' | 'download', number>;
}

type Text = string | ((outcome: Outcome) => string);
type Expected = 'clean' | 'canceled' | { message: Text; description: Text };

interface Scenario {
	name: string;
	step: 'request' | 'poll' | 'download' | 'combined';
	emulator?: EmulatorOptions;
	faults?: Fault[];
	/** runs before the faults are injected; its requests are forgotten */
	arrange?: (emulator: ProlificEmulator) => Promise<void>;
	options?: IDataObject;
	/** stops the execution `afterMs` after the first request `when` matches, then waits `settleMs` */
	cancel?: { when: (request: RecordedRequest) => boolean; afterMs: number; settleMs: number };
	expect: Expected;
	check?: (outcome: Outcome) => void;
}

const isPost = (r: RecordedRequest) => r.origin === 'api' && r.method === 'POST' && r.path === EXPORT;
const isStatus = (r: RecordedRequest) => r.origin === 'api' && r.method === 'GET' && STATUS.test(r.path);
const isDownload = (r: RecordedRequest) => r.origin === 'download';

/** Behaviour B: `jobs` export jobs already on the batch, still generating, each with its own filter. */
const existingJobs = (jobs: number) => async (emulator: ProlificEmulator) => {
	for (let n = 0; n < jobs; n++) {
		const response = await fetch(`${emulator.apiUrl}${EXPORT}?study_id=earlier-${n}`, {
			method: 'POST',
			headers: { authorization: `Token ${emulator.token}` },
		});
		assert.equal(response.status, 202);
	}
};

/** `runs` finished exports whose jobs are kept, as earlier runs of a scheduled workflow leave them. */
const earlierExports = (runs: number) => async (emulator: ProlificEmulator) => {
	for (let n = 0; n < runs; n++) {
		const run = await runExport(emulator, { batchId: BATCH_ID, options: { deleteAfterDownload: false } });
		assert.equal(run.status, 'success', run.error?.message);
	}
};

const scenarios: Scenario[] = [
	// Request: POST /export
	{ name: '429 with Retry-After: 1', step: 'request', faults: [{ route: 'export.request', status: 429, retryAfter: 1 }], expect: 'clean', check: ({ count }) => assert.equal(count.post, 2) },
	{ name: '429 twice, no Retry-After (backoff)', step: 'request', faults: [{ route: 'export.request', status: 429, times: 2 }], expect: 'clean', check: ({ count }) => assert.equal(count.post, 3) },
	{
		name: '500, 502, then 503 with an HTML body',
		step: 'request',
		faults: [
			{ route: 'export.request', status: 500 },
			{ route: 'export.request', status: 502 },
			{ route: 'export.request', status: 503, body: '<html><body>Service Unavailable</body></html>' },
		],
		expect: 'clean',
		check: ({ count }) => assert.equal(count.post, 4),
	},
	{ name: 'connection reset before headers', step: 'request', faults: [{ route: 'export.request', reset: 'before-headers' }], expect: 'clean' },
	{ name: 'connection reset mid-body', step: 'request', faults: [{ route: 'export.request', reset: 'mid-body' }], expect: 'clean' },
	{ name: 'slow answer (1.6 s) near the Timeout (2.5 s)', step: 'request', faults: [{ route: 'export.request', delayMs: 1600 }], options: { timeout: 2.5 }, expect: 'clean' },
	{
		name: '401',
		step: 'request',
		faults: [{ route: 'export.request', status: 401 }],
		expect: { message: 'Prolific rejected the API token', description: says('Not authenticated: Invalid token') + HINT.token },
		check: ({ count }) => assert.equal(count.post, 1, 'not retried'),
	},
	{
		name: '403',
		step: 'request',
		faults: [{ route: 'export.request', status: 403 }],
		expect: {
			message: 'No access to this batch’s workspace',
			description: says("Permission denied: You do not have access to this batch's workspace") + HINT.access,
		},
		check: ({ count }) => assert.equal(count.post, 1, 'not retried'),
	},
	{
		name: '404',
		step: 'request',
		faults: [{ route: 'export.request', status: 404 }],
		expect: { message: `Batch ${BATCH_ID} not found`, description: says('Not Found: Not found') + HINT.notFound },
	},
	{
		name: '503 until the Timeout (2 s)',
		step: 'request',
		faults: [{ route: 'export.request', status: 503, times: 100 }],
		options: { timeout: 2 },
		expect: {
			message: ({ count }) => `Prolific answered with a server error (HTTP 503) (${count.post} attempts)`,
			description: says('Service Unavailable: The service is temporarily unavailable') + HINT.outage,
		},
		check: ({ count }) => assert.ok(count.post >= 3 && count.post <= 4, `${count.post} attempts`),
	},
	{
		name: '429 + Retry-After: 1 until the Timeout (2.5 s)',
		step: 'request',
		faults: [{ route: 'export.request', status: 429, retryAfter: 1, times: 100 }],
		options: { timeout: 2.5 },
		expect: {
			message: ({ count }) => `Prolific is rate limiting requests (${count.post} attempts)`,
			description: says('Too Many Requests: Request was throttled') + HINT.rateLimit,
		},
		check: ({ count }) => assert.equal(count.post, 3),
	},
	{
		name: '429 + Retry-After past the Timeout: fails at once',
		step: 'request',
		faults: [{ route: 'export.request', status: 429, retryAfter: 5 }],
		options: { timeout: 2 },
		expect: { message: 'Prolific is rate limiting requests', description: says('Too Many Requests: Request was throttled') + HINT.rateLimit },
		check: ({ run, count }) => {
			assert.equal(count.post, 1);
			assert.ok(run.durationMs < 1000, `took ${run.durationMs} ms`);
		},
	},
	{
		name: 'connection reset until the Timeout (2 s)',
		step: 'request',
		faults: [{ route: 'export.request', reset: 'before-headers', times: 100 }],
		options: { timeout: 2 },
		expect: {
			message: ({ apiUrl, count }) => `Could not reach Prolific at ${apiUrl} (connection reset) after ${count.post} attempts`,
			description: HINT.unreachable,
		},
	},
	{
		name: 'cancelled while the POST is slow',
		step: 'request',
		faults: [{ route: 'export.request', delayMs: 1200 }],
		cancel: { when: isPost, afterMs: 100, settleMs: 1400 },
		expect: 'canceled',
		check: ({ count }) => assert.deepEqual(count, { post: 1, status: 0, download: 0 }),
	},
	{
		name: 'cancelled while waiting out Retry-After',
		step: 'request',
		faults: [{ route: 'export.request', status: 429, retryAfter: 3 }],
		cancel: { when: isPost, afterMs: 100, settleMs: 500 },
		expect: 'canceled',
		check: ({ count }) => assert.deepEqual(count, { post: 1, status: 0, download: 0 }),
	},

	// Poll: GET /export/{id}
	{ name: '429 + Retry-After: 0, three times', step: 'poll', faults: [{ route: 'export.status', status: 429, retryAfter: 0, times: 3 }], expect: 'clean', check: ({ count }) => assert.equal(count.status, 5) },
	{ name: '500 then 502', step: 'poll', faults: [{ route: 'export.status', status: 500 }, { route: 'export.status', status: 502 }], expect: 'clean', check: ({ count }) => assert.equal(count.status, 4) },
	{ name: 'connection reset before headers', step: 'poll', faults: [{ route: 'export.status', reset: 'before-headers' }], expect: 'clean' },
	{ name: 'connection reset mid-body', step: 'poll', faults: [{ route: 'export.status', reset: 'mid-body' }], expect: 'clean' },
	{ name: 'slow answer (1.5 s) near the Timeout (3 s)', step: 'poll', faults: [{ route: 'export.status', delayMs: 1500 }], options: { timeout: 3 }, expect: 'clean' },
	{
		name: 'export failed once: requested again',
		step: 'poll',
		faults: [{ route: 'export.status', exportFailed: true }],
		expect: 'clean',
		check: ({ count, exportIds }) => {
			assert.equal(count.post, 2);
			assert.equal(exportIds.length, 2, 'a new job after the failed one');
		},
	},
	{
		name: 'export failed 3 times (Retries 2)',
		step: 'poll',
		faults: [{ route: 'export.status', exportFailed: true, times: 3 }],
		options: { failedRetries: 2 },
		expect: { message: `Prolific could not generate the export of batch ${BATCH_ID} (failed 3 times)`, description: HINT.failed },
		check: ({ count }) => assert.deepEqual(count, { post: 3, status: 3, download: 0 }),
	},
	{
		name: 'export failed once (Retries 0)',
		step: 'poll',
		faults: [{ route: 'export.status', exportFailed: true }],
		options: { failedRetries: 0 },
		expect: { message: `Prolific could not generate the export of batch ${BATCH_ID} (failed once)`, description: HINT.failed },
	},
	{
		name: '404 for the export job',
		step: 'poll',
		faults: [{ route: 'export.status', status: 404 }],
		expect: {
			message: ({ exportIds }) => `Export ${exportIds[0]} of batch ${BATCH_ID} not found`,
			description: says('Not Found: Not found') + HINT.notFound,
		},
	},
	{
		name: '401 on a status check',
		step: 'poll',
		faults: [{ route: 'export.status', status: 401 }],
		expect: { message: 'Prolific rejected the API token', description: says('Not authenticated: Invalid token') + HINT.token },
	},
	{
		name: 'never complete: Timeout (0.5 s)',
		step: 'poll',
		emulator: { pollsUntilComplete: 1_000 },
		options: { timeout: 0.5 },
		expect: {
			message: ({ count }) => `The export of batch ${BATCH_ID} was not ready after 0.5 s (${count.status} status checks)`,
			description: ({ exportIds }) => HINT.stillGenerating(exportIds[0]),
		},
		check: ({ run }) => assert.ok(run.durationMs < 1500, `took ${run.durationMs} ms`),
	},
	{
		name: 'slow answer (2.5 s) past the Timeout (2 s)',
		step: 'poll',
		emulator: { pollsUntilComplete: 2 },
		faults: [{ route: 'export.status', delayMs: 2500 }],
		options: { timeout: 2 },
		expect: {
			message: `The export of batch ${BATCH_ID} was not ready after 2 s (1 status checks)`,
			description: ({ exportIds }) => HINT.stillGenerating(exportIds[0]),
		},
	},
	{
		name: '502 until the Timeout (1.5 s)',
		step: 'poll',
		faults: [{ route: 'export.status', status: 502, times: 100 }],
		options: { timeout: 1.5 },
		expect: {
			message: ({ count }) => `Prolific answered with a server error (HTTP 502) (${count.status} attempts)`,
			description: says('Bad Gateway: The upstream server returned an invalid response') + HINT.outage,
		},
	},
	{
		name: 'cancelled between status checks',
		step: 'poll',
		options: { pollInterval: 30 },
		cancel: { when: isPost, afterMs: 150, settleMs: 400 },
		expect: 'canceled',
		check: ({ count }) => assert.deepEqual(count, { post: 1, status: 0, download: 0 }),
	},
	{
		name: 'cancelled while a status check is slow',
		step: 'poll',
		faults: [{ route: 'export.status', delayMs: 1200 }],
		cancel: { when: isStatus, afterMs: 100, settleMs: 1400 },
		expect: 'canceled',
		check: ({ count }) => assert.deepEqual(count, { post: 1, status: 1, download: 0 }),
	},

	// Download: GET on the presigned URL
	{
		name: '403: a fresh link from the status endpoint',
		step: 'download',
		faults: [{ route: 'download', status: 403 }],
		expect: 'clean',
		check: ({ count }) => assert.deepEqual(count, { post: 1, status: 3, download: 2 }),
	},
	{
		name: 'an expired link: refreshed before use',
		step: 'download',
		faults: [{ route: 'export.status', expireUrl: true }],
		expect: 'clean',
		check: ({ count }) => assert.deepEqual(count, { post: 1, status: 3, download: 1 }),
	},
	{
		name: 'immediate complete (A), link refused: asks by POST',
		step: 'download',
		arrange: earlierExports(1),
		faults: [{ route: 'download', status: 403 }],
		expect: 'clean',
		check: ({ count }) => assert.deepEqual(count, { post: 2, status: 0, download: 2 }),
	},
	{
		name: '403 on every link',
		step: 'download',
		faults: [{ route: 'download', status: 403, times: 100 }],
		expect: {
			message: `The download link for batch ${BATCH_ID} kept being refused, even after 2 fresh links`,
			description: HINT.clock,
		},
		check: ({ count }) => assert.equal(count.download, 3),
	},
	{
		name: '404, then 410: fresh links each time',
		step: 'download',
		faults: [
			{ route: 'download', status: 404 },
			{ route: 'download', status: 410 },
		],
		expect: 'clean',
		check: ({ count }) => assert.deepEqual(count, { post: 1, status: 4, download: 3 }),
	},
	{ name: '429: retried after a backoff', step: 'download', faults: [{ route: 'download', status: 429, retryAfter: 1 }], expect: 'clean', check: ({ count }) => assert.equal(count.download, 2) },
	{ name: '500 then 503', step: 'download', faults: [{ route: 'download', status: 500 }, { route: 'download', status: 503 }], expect: 'clean', check: ({ count }) => assert.equal(count.download, 3) },
	{ name: 'connection reset before headers', step: 'download', faults: [{ route: 'download', reset: 'before-headers' }], expect: 'clean' },
	{ name: 'connection reset mid-body', step: 'download', faults: [{ route: 'download', reset: 'mid-body' }], expect: 'clean', check: ({ count }) => assert.equal(count.download, 2) },
	{
		name: 'slow (1.5 s) with a 1 s Timeout: only the export wait is bounded',
		step: 'download',
		faults: [{ route: 'download', delayMs: 1500 }],
		options: { timeout: 1 },
		expect: 'clean',
	},
	{
		name: 'truncated archive',
		step: 'download',
		faults: [{ route: 'download', archive: 'truncated' }],
		expect: {
			message: "The export archive could not be read as a ZIP file (Corrupted zip: can't find end of central directory)",
			description: HINT.unreadable,
		},
	},
	{
		name: 'corrupt archive data',
		step: 'download',
		faults: [{ route: 'download', archive: 'corrupt' }],
		expect: {
			// The first DEFLATE block header is invalid.
			message:
				"The export archive is corrupt: 'responses-by-submission.jsonl' cannot be read (its compressed data is damaged: invalid block type)",
			description: HINT.damaged,
		},
	},
	{
		name: '503 on every attempt',
		step: 'download',
		faults: [{ route: 'download', status: 503, times: 100 }],
		expect: { message: 'Downloading the export failed (HTTP 503, 6 attempts)', description: HINT.storage },
		check: ({ count }) => assert.equal(count.download, 6),
	},
	{
		name: 'cut mid-body on every attempt',
		step: 'download',
		faults: [{ route: 'download', reset: 'mid-body', times: 100 }],
		expect: { message: 'Downloading the export failed (connection reset, 6 attempts)', description: HINT.storage },
		check: ({ count }) => assert.equal(count.download, 6),
	},
	{
		name: 'cancelled while the download is slow',
		step: 'download',
		faults: [{ route: 'download', delayMs: 1200 }],
		cancel: { when: isDownload, afterMs: 100, settleMs: 1400 },
		expect: 'canceled',
		check: ({ count }) => assert.equal(count.download, 1),
	},
	{
		name: 'cancelled in the backoff after a 503',
		step: 'download',
		faults: [{ route: 'download', status: 503 }],
		cancel: { when: isDownload, afterMs: 60, settleMs: 1200 },
		expect: 'canceled',
		check: ({ count }) => assert.equal(count.download, 1),
	},

	// Combined, and behaviour B with its 10-job cap
	{
		name: 'A: every step fails once or twice',
		step: 'combined',
		faults: [
			{ route: 'export.request', status: 429, retryAfter: 0 },
			{ route: 'export.status', reset: 'mid-body' },
			{ route: 'export.status', status: 500 },
			{ route: 'download', status: 503 },
			{ route: 'download', reset: 'mid-body' },
		],
		expect: 'clean',
		check: ({ count }) => assert.deepEqual(count, { post: 2, status: 3, download: 3 }),
	},
	{
		name: 'B: every step fails once or twice',
		step: 'combined',
		emulator: { behaviour: 'B' },
		faults: [
			{ route: 'export.request', reset: 'before-headers' },
			{ route: 'export.status', status: 429, retryAfter: 0 },
			{ route: 'export.status', reset: 'before-headers' },
			{ route: 'download', reset: 'before-headers' },
			{ route: 'download', status: 500 },
		],
		expect: 'clean',
	},
	{
		name: 'failed, expired link, refused link, cut download',
		step: 'combined',
		faults: [
			{ route: 'export.status', exportFailed: true },
			{ route: 'export.status', expireUrl: true },
			{ route: 'download', status: 403 },
			{ route: 'download', reset: 'mid-body' },
		],
		expect: 'clean',
		check: ({ count }) => assert.deepEqual(count, { post: 2, status: 5, download: 3 }),
	},
	{
		name: 'slow at every step, done after the Timeout',
		step: 'combined',
		faults: [
			{ route: 'export.request', delayMs: 900 },
			{ route: 'export.status', delayMs: 900 },
			{ route: 'download', delayMs: 900 },
		],
		options: { timeout: 2.4 },
		expect: 'clean',
		check: ({ run }) => assert.ok(run.durationMs > 2_400, `done after ${run.durationMs} ms`),
	},
	{
		name: 'B: the batch already has 10 export jobs',
		step: 'combined',
		emulator: { behaviour: 'B' },
		arrange: existingJobs(10),
		expect: { message: JOB_LIMIT, description: says(CAP_DETAIL(10)) + HINT.jobLimit },
	},
	{
		name: 'B: 10 finished jobs: frees the oldest, asks again',
		step: 'combined',
		emulator: { behaviour: 'B' },
		arrange: earlierExports(10),
		expect: 'clean',
		check: ({ count, exportIds }) => {
			assert.equal(count.post, 2);
			assert.equal(exportIds.length, 9, 'the oldest freed, the new job deleted once downloaded');
		},
	},
	{
		name: 'B: 10 finished jobs, Free Export Slot off',
		step: 'combined',
		emulator: { behaviour: 'B' },
		arrange: earlierExports(10),
		options: { freeExportSlot: false },
		expect: { message: JOB_LIMIT, description: says(CAP_DETAIL(10)) + HINT.jobLimit },
		check: ({ count }) => assert.deepEqual(count, { post: 1, status: 0, download: 0 }),
	},
	{
		name: 'B: a failed export whose retry hits the 10-job cap',
		step: 'combined',
		emulator: { behaviour: 'B' },
		arrange: existingJobs(9),
		faults: [{ route: 'export.status', exportFailed: true }],
		expect: 'clean',
		check: ({ count }) => assert.equal(count.post, 3, 'the retry, refused, then again once the failed job is freed'),
	},
	{
		name: 'B: a 503, then the job cap (maxJobsPerBatch 3)',
		step: 'combined',
		emulator: { behaviour: 'B', maxJobsPerBatch: 3 },
		arrange: existingJobs(3),
		faults: [{ route: 'export.request', status: 503 }],
		expect: { message: JOB_LIMIT, description: says(CAP_DETAIL(3)) + HINT.jobLimit },
		check: ({ count }) => assert.equal(count.post, 2),
	},
];

interface Row {
	scenario: string;
	step: string;
	outcome: string;
	requests: string;
	seconds: string;
}

const rows = new Map<Scenario, Row>();
let clean: Output;
let swept = 0;
const leaks: string[] = [];

async function play(scenario: Scenario): Promise<Outcome> {
	const emulator = await startEmulator(scenario.emulator);
	try {
		await scenario.arrange?.(emulator);
		emulator.requests.length = 0;
		for (const fault of scenario.faults ?? []) emulator.inject(fault);

		const controller = new AbortController();
		let cancelledAt = Infinity;
		let pending: NodeJS.Timeout | undefined;
		const watcher = setInterval(() => {
			const { cancel } = scenario;
			if (!cancel || pending || !emulator.requests.some(cancel.when)) return;
			pending = setTimeout(() => {
				cancelledAt = Date.now();
				controller.abort();
			}, cancel.afterMs);
		}, 5);
		const run = await runExport(emulator, {
			batchId: BATCH_ID,
			options: { timeout: 5, ...scenario.options },
			run: { signal: controller.signal },
		}).finally(() => clearInterval(watcher));
		clearTimeout(pending);
		// A cancelled node may still be unwinding: give it time to make any request it would.
		if (scenario.cancel) await sleep(scenario.cancel.settleMs);

		const requests = [...emulator.requests];
		const after = requests.filter((request) => request.at > cancelledAt);
		assert.deepEqual(after, [], 'no request after the execution was cancelled');
		return {
			apiUrl: emulator.apiUrl,
			token: emulator.token,
			run,
			requests,
			exportIds: emulator.jobs(BATCH_ID).map((job) => job.export_id),
			count: {
				post: requests.filter(isPost).length,
				status: requests.filter(isStatus).length,
				download: requests.filter(isDownload).length,
			},
		};
	} finally {
		await emulator.close();
	}
}

function describeRequests(requests: RecordedRequest[]): string {
	const counts = new Map<string, number>();
	for (const request of requests) {
		const kind = isDownload(request)
			? 'download'
			: isPost(request)
				? 'POST'
				: isStatus(request)
					? 'status'
					: request.method === 'DELETE'
						? 'delete job'
						: request.method === 'GET' && request.path === EXPORT
							? 'list jobs'
							: `${request.method} ${request.path}`;
		counts.set(kind, (counts.get(kind) ?? 0) + 1);
	}
	const order = ['POST', 'status', 'download', 'list jobs', 'delete job'];
	const rank = (kind: string) => (order.includes(kind) ? order.indexOf(kind) : order.length);
	return [...counts]
		.sort(([a], [b]) => rank(a) - rank(b))
		.map(([kind, n]) => `${kind} ${n}`)
		.join(', ');
}

const text = (value: Text, outcome: Outcome) => (typeof value === 'function' ? value(outcome) : value);

before(async () => {
	const emulator = await startEmulator();
	try {
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		clean = outputOf(run);
		assert.equal(clean.length, 5);
		assert.ok(clean.some((item) => Object.keys(item.binary).length > 0), 'the clean run attaches files');
	} finally {
		await emulator.close();
	}
});

after(() => {
	const table = scenarios.flatMap((scenario) => rows.get(scenario) ?? []);
	const header: Row = { scenario: 'scenario', step: 'step', outcome: 'outcome', requests: 'requests made', seconds: 's' };
	const widths = (Object.keys(header) as (keyof Row)[]).map((key) => Math.max(...[header, ...table].map((row) => row[key].length)));
	const line = (row: Row) =>
		`| ${(Object.keys(header) as (keyof Row)[]).map((key, i) => row[key].padEnd(widths[i])).join(' | ')} |`;
	const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
	console.log(['', `Fault matrix: ${table.length} scenarios`, line(header), rule, ...table.map(line), ''].join('\n'));
});

describe('fault matrix', { concurrency: 6 }, () => {
	assert.ok(scenarios.length >= 25);
	for (const scenario of scenarios) {
		it(`${scenario.step}: ${scenario.name}`, async () => {
			const started = performance.now();
			const outcome = await play(scenario);
			const { run, token } = outcome;
			const row: Row = {
				scenario: scenario.name,
				step: scenario.step,
				outcome: run.status === 'error' ? `error: ${run.error?.message}` : run.status,
				requests: describeRequests(outcome.requests),
				seconds: ((performance.now() - started) / 1000).toFixed(1),
			};
			rows.set(scenario, row);

			if (scenario.expect === 'clean') {
				assert.equal(run.status, 'success', run.error?.message);
				assert.deepStrictEqual(outputOf(run), clean, 'identical to the clean run');
				row.outcome = 'recovered, output identical';
			} else if (scenario.expect === 'canceled') {
				assert.equal(run.status, 'canceled', run.error?.message);
				assert.deepEqual(run.items, []);
			} else {
				assert.equal(run.status, 'error');
				assert.equal(run.error?.message, text(scenario.expect.message, outcome));
				assert.equal(run.error?.description, text(scenario.expect.description, outcome));
				assert.deepEqual(run.items, []);
			}
			scenario.check?.(outcome);

			swept++;
			leaks.push(
				...secretInRun(run, token),
				...secretInRequests(outcome.requests, token),
				...credentialsAtDownload(outcome.requests, token),
			);
		});
	}
});

describe('fault matrix: secrets', () => {
	it('no scenario put the token in an error, an item or a request other than the API’s Authorization header', () => {
		assert.equal(swept, scenarios.length, 'every scenario was swept');
		assert.deepEqual(leaks, []);
	});
});
