import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';

import type { ProlificEmulator } from '../emulator';
import { BATCH_ID, SUBMISSION } from '../fixtures/sample-expected';
import type { RunResult } from '../harness';
import { apiCalls, runExport, startEmulator } from '../support/setup';
import { EXPORT_PATH } from '../support/requests';

/**
 * Export jobs are shared: Prolific hands concurrent requests of one batch the same job (behaviour
 * A's POST is idempotent; behaviour B returns a still-generating job with the same filter), and
 * whichever run downloads it first deletes it. A job that vanishes while the node waits for it is
 * requested afresh, not reported as a failure.
 */

const EXPORT = EXPORT_PATH(BATCH_ID);
const posts = () => apiCalls(emulator).filter((call) => call === `POST ${EXPORT}`).length;

/** What a user compares: each item's fields and its files' bytes. */
const contentOf = (run: RunResult) =>
	run.items.map((item) => ({
		json: item.json,
		files: Object.fromEntries(Object.entries(item.binary).map(([key, binary]) => [key, binary.bytes.toString('base64')])),
	}));

let emulator: ProlificEmulator;
let expected: ReturnType<typeof contentOf>;
beforeEach(async () => {
	emulator = await startEmulator({ pollsUntilComplete: 3 });
	expected = contentOf(await runExport(emulator, { batchId: BATCH_ID, staticData: '{}' }));
	emulator.reset();
});
afterEach(async () => await emulator.close());

for (const behaviour of ['A', 'B'] as const) {
	describe(`behaviour ${behaviour}: a job deleted while the node waits for it`, () => {
		beforeEach(() => {
			emulator.behaviour = behaviour;
		});

		for (const [route, when] of [
			['export.status', 'at a status check'],
			['download', 'by the time of its download'],
		] as const) {
			it(`requests the export again when the job is gone ${when}`, async () => {
				emulator.inject({ route, vanish: true });
				const run = await runExport(emulator, { batchId: BATCH_ID, staticData: '{}' });
				assert.equal(run.status, 'success', run.error?.message);
				assert.deepEqual(contentOf(run), expected);
				assert.equal(posts(), 2);
			});
		}

		it('gives up with an error that says why when the job keeps being deleted', async () => {
			emulator.inject({ route: 'export.status', vanish: true, times: 3 });
			const run = await runExport(emulator, { batchId: BATCH_ID, staticData: '{}' });
			assert.equal(run.status, 'error');
			assert.match(run.error?.message ?? '', new RegExp(`^The export of batch ${BATCH_ID} was deleted 3 times while the node waited for it \\(last export ID [0-9a-f-]{36}\\)$`));
			assert.match(run.error?.description ?? '', /another run exporting the same batch at the same time.*Delete Export Job After Download/);
			assert.equal(posts(), 3);
		});
	});

	describe(`behaviour ${behaviour}: two runs export the same batch at the same time`, () => {
		beforeEach(() => {
			emulator.behaviour = behaviour;
		});

		it('both succeed with the same items, though the first to finish deletes the job they share', async () => {
			// Two workflows (each its own static data), the second half a poll interval later, as a
			// trigger's and a colleague's run: one sees the job complete, downloads and deletes it
			// while the other waits for its next status check.
			const run = async () => await runExport(emulator, { batchId: BATCH_ID, staticData: '{}', options: { pollInterval: 0.8, timeout: 30 } });
			const [first, second] = await Promise.all([run(), sleep(400).then(run)]);
			assert.equal(first.status, 'success', first.error?.message);
			assert.equal(second.status, 'success', second.error?.message);
			assert.deepEqual(contentOf(first), expected);
			assert.deepEqual(contentOf(second), expected);
			assert.deepEqual(
				contentOf(first).map((item) => item.json.submission_id),
				SUBMISSION,
			);
		});
	});
}

describe('Download Export: the job Start Export made was deleted before Download Export ran', () => {
	it('requests the export again with the filters Start Export used, and outputs only what they select', async () => {
		emulator.behaviour = 'B';
		const step = async (operation: string, parameters: Record<string, unknown> = {}) =>
			await runExport(emulator, { parameters: { operation, batch: { __rl: true, mode: 'id', value: BATCH_ID }, ...parameters }, run: { timezone: 'Europe/Berlin' } });
		const started = await step('startExport', { options: { from: '2026-03-19T13:00:00', to: '2026-03-19T23:00:00' } });
		assert.equal(started.status, 'success', started.error?.message);
		const exportId = String(started.items[0].json.export_id);
		// Another run that was handed the same job downloads it and deletes it.
		emulator.pollsUntilComplete = 0;
		const call = async (method: string) =>
			await fetch(`${emulator.apiUrl}${EXPORT}/${exportId}`, { method, headers: { authorization: `Token ${emulator.token}` } });
		assert.equal(((await (await call('GET')).json()) as { status: string }).status, 'complete');
		const deleted = await call('DELETE');
		assert.equal(deleted.status, 204);
		const run = await step('downloadExport', { exportId });
		assert.equal(run.status, 'success', run.error?.message);
		assert.deepEqual(
			run.items.map((item) => item.json.submission_id),
			SUBMISSION.slice(2),
		);
		const again = emulator.requests.filter((r) => r.method === 'POST').at(-1);
		assert.deepEqual(again?.query, { from: '2026-03-19T12:00:00Z', to: '2026-03-19T22:00:00Z' });
		assert.deepEqual(emulator.jobs(BATCH_ID), [], 'the new job is deleted once downloaded');
	});

	it('still says an export ID this workflow never had is not found, and requests nothing', async () => {
		const run = await runExport(emulator, { parameters: { operation: 'downloadExport', exportId: '0b2f4e7a-0000-4000-8000-000000000000' }, batchId: BATCH_ID });
		assert.equal(run.status, 'error');
		assert.equal(run.error?.message, `Export 0b2f4e7a-0000-4000-8000-000000000000 of batch ${BATCH_ID} not found`);
		assert.equal(posts(), 0);
	});
});
