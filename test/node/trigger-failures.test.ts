import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import type { BatchSpec, Fault, ProlificEmulator, SubmissionSpec } from '../emulator';
import { buildArchive, buildRawZip, mutateArchive } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { BATCH_ID, SUBMISSION, SUBMISSION_FILES } from '../fixtures/sample-expected';
import { runPoll, type PollResult } from '../harness';
import { rawEntriesOf, withDeclaredSize } from '../support/archives';
import { batchExportTrigger } from '../support/node';
import { startEmulator } from '../support/setup';

/**
 * A poll that fails at any step must leave the trigger's memory as it was, so the next poll
 * emits exactly what the failed one would have. n8n keeps a failed poll's static data in memory
 * and saves it with the next poll that emits: each test hands the failed poll's static data on.
 */

let emulator: ProlificEmulator;
beforeEach(async () => {
	emulator = await startEmulator({ behaviour: 'B', pollsUntilComplete: 1 });
});
afterEach(async () => await emulator.close());

/** The sample batch as it stood when only these of its submissions had come in. */
function batchOf(submissions: SubmissionSpec[]): BatchSpec {
	const ids = new Set(submissions.map((s) => s.submission_id));
	const files = Object.fromEntries(Object.entries(sampleBatch.files).filter(([path]) => ids.has(path.slice(6, 30))));
	return { ...sampleBatch, submissions, files };
}

async function poll(staticData?: string, options: Record<string, unknown> = {}): Promise<PollResult> {
	return await runPoll({
		nodeType: batchExportTrigger,
		parameters: {
			batch: { __rl: true, mode: 'id', value: BATCH_ID },
			output: 'submissions',
			options: { pollInterval: 0.02, timeout: 10, ...options },
		},
		credentials: { prolificApi: { apiToken: emulator.token, baseUrl: emulator.apiUrl } },
		staticData,
	});
}

const ids = (result: PollResult) => result.items?.map((item) => item.json.submission_id) ?? null;
const FIRST = sampleBatch.submissions.slice(0, 2);
const SECOND = batchOf(sampleBatch.submissions.slice(0, 4));
/** The third submission's uploads: the damaged one of the tests below. */
const isThirdsUpload = (name: string) => name.startsWith(`files/${SUBMISSION[2]}`);

/** Poll 1 emits the first two submissions; then two more come in. Returns poll 1's static data. */
async function firstPollThenTwoMore(): Promise<string> {
	emulator.addBatch(batchOf(FIRST));
	const first = await poll();
	assert.equal(first.error, undefined, first.error?.message);
	assert.deepEqual(ids(first), SUBMISSION.slice(0, 2));
	emulator.addBatch(SECOND);
	return first.staticData;
}

/** The second poll's archive with one change, served once instead of the real one. */
const servedOnce = async (change: (zip: Buffer) => Buffer | Promise<Buffer>): Promise<Fault> => ({
	route: 'download',
	archive: await change(await buildArchive(SECOND)),
});

const failures: Array<{ step: string; fault: () => Promise<Fault>; message: RegExp }> = [
	{ step: 'the export request', fault: async () => ({ route: 'export.request', status: 403 }), message: /^No access/ },
	{ step: 'a status check', fault: async () => ({ route: 'export.status', status: 404, times: 3 }), message: /^The export of batch .* was deleted 3 times/ },
	{
		step: 'the download',
		fault: async () => ({ route: 'download', status: 403, times: 3 }),
		message: /kept being refused/,
	},
	{
		step: "the archive's checks (a damaged upload)",
		fault: async () => await servedOnce((zip) => mutateArchive.corrupt(zip, isThirdsUpload)),
		message: /^The export archive is corrupt: 'files\//,
	},
	{
		step: 'building the output (a malformed record)',
		fault: async () =>
			await servedOnce(async (zip) =>
				buildRawZip(
					(await rawEntriesOf(zip)).map((entry) =>
						entry.name === 'responses-by-submission.jsonl'
							? { ...entry, data: Buffer.concat([entry.data, Buffer.from('{"submission_id": \n')]) }
							: entry,
					),
				),
			),
		message: /^The export archive is malformed: line 5 of responses-by-submission.jsonl/,
	},
	{
		step: 'a file that declares 3 GiB',
		fault: async () =>
			await servedOnce(async (zip) => {
				const upload = (await rawEntriesOf(zip)).find((entry) => isThirdsUpload(entry.name))!;
				return withDeclaredSize(zip, upload.name, 3 * 1024 ** 3);
			}),
		// Within the default Max Archive Size of 20 GiB: caught when it inflates to less.
		message: /^The export archive is corrupt: '.+' cannot be read \(it inflated to \d+ bytes but declares 3221225472\)$/,
	},
];

describe('Prolific Batch Export Trigger: a poll that fails loses nothing', () => {
	for (const failure of failures) {
		it(`${failure.step} fails once: the next poll emits what the failed one would have`, async () => {
			const state = await firstPollThenTwoMore();
			emulator.inject(await failure.fault());
			const failed = await poll(state);
			assert.match(failed.error?.message ?? 'no error', failure.message);
			assert.equal(failed.items, null);
			assert.equal(failed.staticData, state, 'the failed poll changed the static data');

			const next = await poll(failed.staticData);
			assert.equal(next.error, undefined, next.error?.message);
			assert.deepEqual(ids(next), SUBMISSION.slice(2, 4));
			const [, , name, path] = SUBMISSION_FILES[2][0];
			assert.equal(next.items?.[0].binary.file_0.fileName, name);
			assert.ok(next.items?.[0].binary.file_0.bytes.equals(sampleBatch.files[path]));
			assert.equal((await poll(next.staticData)).items, null, 'and only once');
		});
	}

	it('across a failure, later polls and a restart: every submission exactly once', async () => {
		// n8n keeps a failed poll's static data in memory, saves it with the next poll that
		// emits, and a restart reloads what was saved.
		const delivered: unknown[] = [];
		const deliver = (result: PollResult) => delivered.push(...(ids(result) ?? []));
		const first = await firstPollThenTwoMore();
		emulator.inject(await servedOnce((zip) => mutateArchive.corrupt(zip, isThirdsUpload)));
		const failed = await poll(first);
		assert.ok(failed.error);
		const second = await poll(failed.staticData);
		deliver(second);
		emulator.addBatch(sampleBatch);
		const third = await poll(second.items ? second.staticData : failed.staticData);
		deliver(third);
		const saved = third.items ? third.staticData : second.staticData;
		const afterRestart = await poll(JSON.stringify(JSON.parse(saved)));
		deliver(afterRestart);
		assert.deepEqual(delivered, SUBMISSION.slice(2));
	});

	it('shows why it failed: the message, and the hint as the description n8n stores', async () => {
		const state = await firstPollThenTwoMore();
		emulator.inject(await servedOnce((zip) => mutateArchive.corrupt(zip, isThirdsUpload)));
		const { error } = await poll(state);
		assert.equal(error?.name, 'NodeOperationError');
		assert.match(error?.message ?? '', /^The export archive is corrupt/);
		assert.equal(error?.description, 'The download was probably damaged. Run the node again to download a fresh copy.');
	});

	it("reads each archive entry once: the submissions are not counted twice against Max Archive Size", async () => {
		// Without responses-by-task.jsonl, the archive inflates to less than twice its submissions.
		const zip = await buildArchive(SECOND, { omit: ['responses-by-task.jsonl'] });
		const entries = await rawEntriesOf(zip);
		const size = (name: string) => entries.find((entry) => entry.name === name)!.data.length;
		const total = entries.reduce((sum, entry) => sum + entry.data.length, 0);
		const submissions = size('responses-by-submission.jsonl');
		assert.ok(submissions > 1024);
		emulator.addBatch(SECOND, zip);
		const limit = (total + submissions / 2) / 1024 ** 2;
		const result = await poll(undefined, { maxArchiveSizeMb: limit });
		assert.equal(result.error, undefined, result.error?.message);
		assert.deepEqual(ids(result), SUBMISSION.slice(0, 4));
	});
});
