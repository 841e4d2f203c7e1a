import assert from 'node:assert/strict';

import { BATCH_ID } from '../../fixtures/sample-expected';
import { CAP_DETAIL, earlierExports, existingJobs, HINT, isDownload, JOB_LIMIT, says, type Scenario } from './common';

export const downloadScenarios: Scenario[] = [
	// Download: GET on the presigned URL
	{
		name: '403: a fresh link from the status endpoint',
		step: 'download',
		faults: [{ route: 'download', status: 403 }],
		expect: 'clean',
		check: ({ count }) => assert.deepEqual(count, { post: 1, status: 3, download: 2 }),
	},
	{
		name: 'an expired link: tried, refused, refreshed',
		step: 'download',
		faults: [{ route: 'export.status', expireUrl: true }],
		expect: 'clean',
		check: ({ count }) => assert.deepEqual(count, { post: 1, status: 3, download: 2 }),
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
			message: 'The export archive could not be read as a ZIP file (end of central directory not found)',
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
		expect: { message: /^Downloading the export failed \(the connection closed after [\d.]+ KiB of the [\d.]+ KiB announced, 6 attempts\)$/, description: HINT.storage },
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
		// The expired link is tried and meets the refusal: one fresh link serves both.
		check: ({ count }) => assert.deepEqual(count, { post: 2, status: 4, download: 3 }),
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
		expect: { message: JOB_LIMIT, description: says(CAP_DETAIL(10)) + HINT.noSlotOfOurs(10, 10) },
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
		expect: { message: JOB_LIMIT, description: says(CAP_DETAIL(3)) + HINT.noSlotOfOurs(3, 3) },
		check: ({ count }) => assert.equal(count.post, 2),
	},
];
