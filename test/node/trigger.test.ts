import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import type { ProlificEmulator, SubmissionSpec } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { BATCH_ID, SUBMISSION, SUBMISSION_FILES } from '../fixtures/sample-expected';
import { runPoll, type PollResult } from '../harness';
import { batchExportTrigger } from '../support/node';
import { apiCalls, startEmulator } from '../support/setup';
import { EXPORT_PATH } from '../support/requests';

const EXPORT = EXPORT_PATH(BATCH_ID);

let emulator: ProlificEmulator;
beforeEach(async () => {
	emulator = await startEmulator({ behaviour: 'B', pollsUntilComplete: 1 });
});
afterEach(async () => await emulator.close());

/** The sample batch as it stood when only these of its submissions had come in. */
function batchWith(submissions: SubmissionSpec[]): void {
	const paths = new Set(submissions.map((s) => s.submission_id));
	const files = Object.fromEntries(
		Object.entries(sampleBatch.files).filter(([path]) => paths.has(path.slice(6, 30))),
	);
	emulator.addBatch({ ...sampleBatch, submissions, files });
}

async function poll(staticData?: string, parameters: Record<string, unknown> = {}, mode: 'trigger' | 'manual' = 'trigger') {
	const result = await runPoll({
		nodeType: batchExportTrigger,
		parameters: {
			batch: { __rl: true, mode: 'id', value: BATCH_ID },
			output: 'submissions',
			options: { pollInterval: 0.02, timeout: 10 },
			...parameters,
		},
		credentials: { prolificApi: { apiToken: emulator.token, baseUrl: emulator.apiUrl } },
		staticData,
		mode,
	});
	assert.equal(result.error, undefined, result.error?.message);
	return result;
}

const ids = (result: PollResult) => result.items?.map((item) => item.json.submission_id) ?? null;

describe('Prolific Batch Export Trigger', () => {
	it('three polls with submissions arriving between them emit each submission exactly once', async () => {
		const all = sampleBatch.submissions;
		batchWith(all.slice(0, 2));
		const first = await poll();
		assert.deepEqual(ids(first), SUBMISSION.slice(0, 2));

		batchWith(all.slice(0, 4));
		const second = await poll(first.staticData);
		assert.deepEqual(ids(second), SUBMISSION.slice(2, 4));

		batchWith(all);
		const third = await poll(second.staticData);
		assert.deepEqual(ids(third), SUBMISSION.slice(4));
		// Files come along with their submission, bytes intact.
		const [, , , path] = SUBMISSION_FILES[4][3];
		assert.ok(third.items?.[0].binary.file_3.bytes.equals(sampleBatch.files[path]));
		assert.equal(third.items?.[0].binary.file_3.fileName, 'Quittung März.pdf');

		assert.equal((await poll(third.staticData)).items, null, 'nothing new: nothing emitted, no error');
	});

	it('after a restart (static data reloaded from storage) a poll emits nothing old', async () => {
		const first = await poll();
		assert.equal(first.items?.length, 5);
		const stored = JSON.parse(JSON.stringify(JSON.parse(first.staticData))) as unknown;
		const afterRestart = await poll(JSON.stringify(stored));
		assert.equal(afterRestart.items, null);
	});

	it('asks the server only for recent submissions, and remembers a bounded amount', async () => {
		const first = await poll();
		await poll(first.staticData);
		const posts = emulator.requests.filter((r) => r.method === 'POST');
		assert.deepEqual(posts[0].query, {});
		// A day before the newest submission (2026-03-19T21:58:17Z).
		assert.deepEqual(posts[1].query, { from: '2026-03-18T21:58:17.000Z' });
		const stored = JSON.parse(first.staticData) as Record<string, { newest: string; recent: unknown[] }>;
		const [state] = Object.values(stored);
		assert.equal(state.newest, '2026-03-19T21:58:17.000Z');
		assert.equal(state.recent.length, 5);
		assert.ok(first.staticData.length < 1_000, 'ids and times, not records');
	});

	it('catches a submission that reaches the export late, once', async () => {
		const [early, ...rest] = sampleBatch.submissions;
		batchWith(rest);
		const first = await poll();
		assert.deepEqual(ids(first), SUBMISSION.slice(1));
		batchWith(sampleBatch.submissions);
		const second = await poll(first.staticData);
		assert.deepEqual(ids(second), [early.submission_id]);
		assert.equal((await poll(second.staticData)).items, null);
	});

	it('emits rows of the new submissions only', async () => {
		batchWith(sampleBatch.submissions.slice(0, 3));
		const first = await poll(undefined, { output: 'rows' });
		assert.equal(first.items?.length, 12);
		batchWith(sampleBatch.submissions);
		const second = await poll(first.staticData, { output: 'rows' });
		assert.deepEqual(
			[...new Set(second.items?.map((item) => item.json.submission_id))],
			SUBMISSION.slice(3),
		);
		assert.equal(second.items?.length, 8);
		assert.equal(second.items?.[0].json.files, 'file_0: IMG_7781.JPEG');
	});

	it('a manual test run shows the newest submissions and remembers nothing', async () => {
		const extra = sampleBatch.submissions.map((s, n) => ({
			...s,
			submission_id: `67da1b2c3d4e5f6a7b8c9e0${n}`,
			created_at: `2026-03-18T0${n}:00:00Z`,
			responses: {},
		}));
		batchWith([...extra, ...sampleBatch.submissions]);
		const manual = await poll(undefined, { includeFiles: false }, 'manual');
		assert.deepEqual(ids(manual), SUBMISSION);
		const scheduled = await poll(manual.staticData, { includeFiles: false });
		assert.equal(scheduled.items?.length, 10, 'the manual run did not count as emitted');
	});

	it('on a schedule of 15 polls it never runs out of export slots', async () => {
		let state: string | undefined;
		for (let n = 0; n < 15; n++) state = (await poll(state, { includeFiles: false })).staticData;
		assert.equal(apiCalls(emulator).filter((call) => call === `POST ${EXPORT}`).length, 15);
		assert.deepEqual(emulator.jobs(BATCH_ID), []);
	});

	it('fails the poll with the node’s clear error when the token is wrong', async () => {
		const result = await runPoll({
			nodeType: batchExportTrigger,
			parameters: { batch: { __rl: true, mode: 'id', value: BATCH_ID }, output: 'submissions' },
			credentials: { prolificApi: { apiToken: 'wrong', baseUrl: emulator.apiUrl } },
		});
		assert.equal(result.error?.message, 'Prolific rejected the API token');
		assert.equal(result.items, null);
	});
});
