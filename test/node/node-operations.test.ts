import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import type { ProlificEmulator } from '../emulator';
import { BATCH_ID } from '../fixtures/sample-expected';
import { apiCalls, runExport, startEmulator } from '../support/setup';
import { EXPORT_PATH } from '../support/requests';

const EXPORT = EXPORT_PATH(BATCH_ID);
const batch = { __rl: true, mode: 'id', value: BATCH_ID };

let emulator: ProlificEmulator;
beforeEach(async () => {
	emulator = await startEmulator({ behaviour: 'B', pollsUntilComplete: 1 });
});
afterEach(async () => await emulator.close());

/** Export jobs a colleague made on the same batch, left `status`. */
async function colleagueExports(count: number, status: 'complete' | 'generating'): Promise<void> {
	const call = async (path: string, method = 'GET') =>
		(await (await fetch(`${emulator.apiUrl}${path}`, { method, headers: { authorization: `Token ${emulator.token}` } })).json()) as {
			export_id: string;
		};
	for (let n = 0; n < count; n++) {
		const { export_id } = await call(`${EXPORT}?study_id=colleague-${status}-${n}`, 'POST');
		if (status === 'complete') for (let poll = 0; poll < 2; poll++) await call(`${EXPORT}/${export_id}`);
	}
}

const deletes = () => apiCalls(emulator).filter((call) => call.startsWith(`DELETE ${EXPORT}/`));

describe('export-job housekeeping (behaviour B: at most 10 jobs per batch)', () => {
	it('15 scheduled exports in a row all succeed: each deletes the job it downloaded', async () => {
		for (let run = 1; run <= 15; run++) {
			const result = await runExport(emulator, { batchId: BATCH_ID, includeFiles: false });
			assert.equal(result.status, 'success', `run ${run}: ${result.error?.message}`);
			assert.equal(result.items.length, 5);
		}
		assert.equal(deletes().length, 15);
		assert.deepEqual(emulator.jobs(BATCH_ID), []);
	});

	it('without deleting, the 11th export frees the oldest finished job and goes on', async () => {
		const options = { deleteAfterDownload: false };
		for (let run = 1; run <= 10; run++) {
			assert.equal((await runExport(emulator, { batchId: BATCH_ID, includeFiles: false, options })).status, 'success');
		}
		const oldest = emulator.jobs(BATCH_ID)[0].export_id;
		const eleventh = await runExport(emulator, { batchId: BATCH_ID, includeFiles: false, options });
		assert.equal(eleventh.status, 'success', eleventh.error?.message);
		assert.equal(eleventh.items.length, 5);
		assert.deepEqual(deletes(), [`DELETE ${EXPORT}/${oldest}`]);
		assert.equal(emulator.jobs(BATCH_ID).length, 10);
		assert.ok(!emulator.jobs(BATCH_ID).some((job) => job.export_id === oldest));
	});

	it('never deletes a job it did not create: at the limit it says what the batch holds and how to free a slot', async () => {
		await colleagueExports(8, 'complete');
		await colleagueExports(2, 'generating');
		const run = await runExport(emulator, { batchId: BATCH_ID, includeFiles: false });
		assert.equal(run.status, 'error');
		assert.equal(run.error?.message, `Batch ${BATCH_ID} already has as many export jobs as Prolific allows`);
		assert.equal(
			run.error?.description,
			'Prolific says: "Export limit reached: This batch already has 10 export jobs. Delete an existing export job before requesting a new one". ' +
				"It holds 10 export jobs (2 still generating), none of them a finished job this workflow created, so the node deleted none: on a shared workspace they may be a colleague's. " +
				"To free a slot, run List Export Jobs, then Delete Export Job with the export_id of one nobody needs; or turn on the 'Free Slot From Any Job' option.",
		);
		assert.deepEqual(deletes(), []);
		assert.equal(emulator.jobs(BATCH_ID).length, 10);
	});

	it('a new workflow (no memory of its jobs) leaves the jobs an earlier one made', async () => {
		const options = { deleteAfterDownload: false };
		for (let run = 1; run <= 10; run++) await runExport(emulator, { batchId: BATCH_ID, includeFiles: false, options });
		const other = await runExport(emulator, { batchId: BATCH_ID, includeFiles: false, staticData: '{}' });
		assert.equal(other.error?.message, `Batch ${BATCH_ID} already has as many export jobs as Prolific allows`);
		assert.deepEqual(deletes(), []);
	});

	it('Free Slot From Any Job: deletes the oldest finished job, whoever made it', async () => {
		await colleagueExports(10, 'complete');
		const oldest = emulator.jobs(BATCH_ID)[0].export_id;
		const run = await runExport(emulator, { batchId: BATCH_ID, includeFiles: false, options: { freeAnyJob: true } });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 5);
		assert.equal(deletes()[0], `DELETE ${EXPORT}/${oldest}`);
	});

	it('with both turned off, the 11th export fails with Prolific’s own explanation', async () => {
		const options = { deleteAfterDownload: false, freeExportSlot: false };
		for (let run = 1; run <= 10; run++) await runExport(emulator, { batchId: BATCH_ID, includeFiles: false, options });
		const eleventh = await runExport(emulator, { batchId: BATCH_ID, includeFiles: false, options });
		assert.equal(eleventh.status, 'error');
		assert.equal(eleventh.error?.message, `Batch ${BATCH_ID} already has as many export jobs as Prolific allows`);
		assert.match(
			eleventh.error?.description ?? '',
			/^Prolific says: "Export limit reached: This batch already has 10 export jobs\. Delete an existing export job before requesting a new one"/,
		);
		assert.deepEqual(deletes(), []);
	});

	it('on a server with one export per batch (behaviour A), the refused delete costs nothing', async () => {
		emulator.behaviour = 'A';
		const run = await runExport(emulator, { batchId: BATCH_ID, includeFiles: false });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 5);
		assert.equal(deletes().length, 1);
	});
});

describe('step-by-step operations', () => {
	const step = async (operation: string, parameters: Record<string, unknown> = {}) =>
		await runExport(emulator, { parameters: { operation, batch, ...parameters } });

	it('Start Export -> Get Export Status -> Download Export -> Delete Export Job', async () => {
		const started = await step('startExport');
		assert.equal(started.status, 'success', started.error?.message);
		const exportId = String(started.items[0].json.export_id);
		assert.deepEqual(started.items[0].json, {
			batch_id: BATCH_ID,
			export_id: exportId,
			status: 'generating',
			url: null,
			expires_at: null,
		});

		const generating = await step('getExportStatus', { exportId });
		assert.deepEqual(generating.items[0].json, { ...started.items[0].json });
		const complete = await step('getExportStatus', { exportId });
		assert.equal(complete.items[0].json.status, 'complete');
		assert.match(String(complete.items[0].json.url), new RegExp(`^${emulator.downloadOrigin}/`));
		assert.ok(Date.parse(String(complete.items[0].json.expires_at)) > Date.now());

		const listed = await step('listExportJobs');
		assert.deepEqual(
			listed.items.map((item) => [item.json.export_id, item.json.status]),
			[[exportId, 'complete']],
		);

		const downloaded = await step('downloadExport', { exportId, output: 'rows', includeFiles: false });
		assert.equal(downloaded.status, 'success', downloaded.error?.message);
		assert.equal(downloaded.items.length, 20);
		assert.deepEqual(emulator.jobs(BATCH_ID), [], 'Download Export deletes the job Start Export created, once downloaded');

		const again = String((await step('startExport')).items[0].json.export_id);
		for (let check = 0; check < 2; check++) await step('getExportStatus', { exportId: again });
		const deleted = await step('deleteExportJob', { exportId: again });
		assert.deepEqual(deleted.items[0].json, { batch_id: BATCH_ID, export_id: again, deleted: true });
		assert.deepEqual(emulator.jobs(BATCH_ID), []);
	});

	it('Download Export of a job this workflow did not create downloads it and leaves it', async () => {
		await colleagueExports(1, 'complete');
		const [{ export_id: exportId }] = emulator.jobs(BATCH_ID);
		const downloaded = await step('downloadExport', { exportId, includeFiles: false });
		assert.equal(downloaded.status, 'success', downloaded.error?.message);
		assert.equal(downloaded.items.length, 5);
		assert.deepEqual(deletes(), []);
	});

	it('Download Export waits for an export that is still generating', async () => {
		emulator.pollsUntilComplete = 3;
		const exportId = String((await step('startExport')).items[0].json.export_id);
		const downloaded = await step('downloadExport', { exportId, options: { pollInterval: 0.02 } });
		assert.equal(downloaded.status, 'success', downloaded.error?.message);
		assert.equal(downloaded.items.length, 5);
		assert.equal(apiCalls(emulator).filter((call) => call === `GET ${EXPORT}/${exportId}`).length, 4);
	});

	it('Download Export without an export ID (Start Export got a finished export at once) asks again', async () => {
		emulator.behaviour = 'A';
		await runExport(emulator, { batchId: BATCH_ID, includeFiles: false });
		const started = await step('startExport');
		assert.equal(started.items[0].json.export_id, null);
		emulator.requests.length = 0;
		const downloaded = await step('downloadExport', { exportId: '', includeFiles: false });
		assert.equal(downloaded.status, 'success', downloaded.error?.message);
		assert.equal(downloaded.items.length, 5);
		assert.deepEqual(apiCalls(emulator), [`POST ${EXPORT}`]);
	});

	it('Start Export sends the filters and gets a job of its own for each filter', async () => {
		const first = await step('startExport', { options: { studyId: 'study-1' } });
		const second = await step('startExport', { options: { studyId: 'study-2' } });
		assert.notEqual(first.items[0].json.export_id, second.items[0].json.export_id);
		assert.deepEqual(
			emulator.jobs(BATCH_ID).map((job) => job.filter),
			[{ study_id: 'study-1' }, { study_id: 'study-2' }],
		);
	});

	it('Start Export on a server that hands back a finished export: complete, with its link', async () => {
		emulator.behaviour = 'A';
		await runExport(emulator, { batchId: BATCH_ID, includeFiles: false });
		const started = await step('startExport');
		assert.equal(started.items[0].json.status, 'complete');
		assert.equal(started.items[0].json.export_id, null);
		assert.match(String(started.items[0].json.url), /^http:\/\/127\.0\.0\.1:/);
	});

	it('clear errors: unknown export, deleting a generating job, listing on a server without a job list', async () => {
		const unknown = await step('getExportStatus', { exportId: 'no-such-export' });
		assert.equal(unknown.error?.message, `Export no-such-export of batch ${BATCH_ID} not found`);

		const exportId = String((await step('startExport')).items[0].json.export_id);
		const busy = await step('deleteExportJob', { exportId });
		assert.equal(busy.error?.message, 'Prolific refused the request (HTTP 409)');
		assert.match(busy.error?.description ?? '', /still generating/);

		const badId = await step('getExportStatus', { exportId: '../../users/me' });
		assert.equal(badId.error?.message, "'../../users/me' is not an export ID");

		emulator.behaviour = 'A';
		const list = await step('listExportJobs');
		assert.equal(list.error?.message, 'This Prolific server does not list export jobs');
	});
});
