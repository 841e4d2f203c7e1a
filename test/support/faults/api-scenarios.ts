import assert from 'node:assert/strict';

import { BATCH_ID } from '../../fixtures/sample-expected';
import { HINT, isPost, isStatus, says, type Scenario } from './common';

export const apiScenarios: Scenario[] = [
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
		name: '404 for the export job (deleted since): requested again',
		step: 'poll',
		faults: [{ route: 'export.status', status: 404 }],
		expect: 'clean',
		check: ({ count }) => assert.equal(count.post, 2),
	},
	{
		name: '404 for the export job, three times',
		step: 'poll',
		faults: [{ route: 'export.status', status: 404, times: 3 }],
		expect: {
			message: ({ exportIds }) => `The export of batch ${BATCH_ID} was deleted 3 times while the node waited for it (last export ID ${exportIds.at(-1)})`,
			description: HINT.vanished,
		},
		check: ({ count }) => assert.equal(count.post, 3),
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
];
