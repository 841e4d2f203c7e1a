import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ExportError, runExport, type ExportSteps } from '../../nodes/ProlificBatchExport/export/lifecycle';
import type { ExportJob } from '../../nodes/ProlificBatchExport/types';

const target = { resource: 'batch' as const, id: 'b1' };
const settings = { pollIntervalMs: 5_000, timeoutMs: 60_000, failedRetries: 1 };
const ARCHIVE = 3; // the archive's size in bytes
const EXPIRED = new Error('link refused');
const OUT_OF_TIME = new Error('request ran into the deadline');
const GONE = new Error('export job not found');

/** Steps that answer from scripts and record every call; waiting only advances a fake clock. */
function scripted(answers: { request?: ExportJob[]; status?: Array<ExportJob | Error>; download?: Array<number | Error> }) {
	const calls: string[] = [];
	const take = <T>(list: T[] | undefined, what: string): T => {
		const next = list?.shift();
		if (next === undefined) throw new Error(`no scripted answer for ${what}`);
		return next;
	};
	const steps: ExportSteps = {
		requestExport: async () => (calls.push('request'), take(answers.request, 'request')),
		getExportStatus: async (id) => {
			calls.push(`status ${id}`);
			const answer = take(answers.status, 'status');
			if (answer instanceof Error) throw answer;
			return answer;
		},
		download: async (url) => {
			calls.push(`download ${url}`);
			const answer = take(answers.download, 'download');
			if (answer instanceof Error) throw answer;
			return answer;
		},
		isExpiredLink: (error) => error === EXPIRED,
		isOutOfTime: (error) => error === OUT_OF_TIME,
		isGone: (error) => error === GONE,
		existed: (id) => id === 'started-here',
		wait: async (ms) => void calls.push(`wait ${ms}`),
	};
	return { steps, calls };
}

const complete = (url = 'https://s/1', extra: ExportJob = {}): ExportJob => ({ status: 'complete', url, ...extra });

describe('export lifecycle (request -> poll -> download)', () => {
	it('downloads at once when the request answers complete: no status checks, no waits', async () => {
		const { steps, calls } = scripted({ request: [complete()], download: [ARCHIVE] });
		const done = await runExport(steps, settings, target);
		assert.deepEqual(calls, ['request', 'download https://s/1']);
		assert.deepEqual(done, { size: ARCHIVE, exportId: undefined, expiresAt: undefined, statusChecks: 0 });
	});

	it('polls a generating export, waiting the interval before each check, and keeps its ID', async () => {
		const { steps, calls } = scripted({
			request: [{ status: 'generating', export_id: 'e1' }],
			status: [{ status: 'generating' }, complete('https://s/2', { expires_at: '2999-01-01T00:00:00Z' })],
			download: [ARCHIVE],
		});
		const done = await runExport(steps, settings, target);
		assert.deepEqual(calls, ['request', 'wait 5000', 'status e1', 'wait 5000', 'status e1', 'download https://s/2']);
		assert.equal(done.exportId, 'e1');
		assert.equal(done.statusChecks, 2);
	});

	it('resumes an export started earlier without requesting it, checking its status at once', async () => {
		const { steps, calls } = scripted({ status: [complete()], download: [ARCHIVE] });
		await runExport(steps, settings, target, 'e9');
		assert.deepEqual(calls, ['status e9', 'download https://s/1']);
	});

	it('requests a failed export again up to the retry count, then says it failed', async () => {
		const { steps, calls } = scripted({ request: [{ status: 'failed' }, { status: 'failed' }] });
		await assert.rejects(runExport(steps, settings, target), (error: unknown) => {
			assert.ok(error instanceof ExportError);
			assert.equal(error.message, 'Prolific could not generate the export of batch b1 (failed 2 times)');
			return true;
		});
		assert.deepEqual(calls, ['request', 'request']);
	});

	it('gets a fresh link from the status endpoint when the storage host refuses one', async () => {
		const { steps, calls } = scripted({
			request: [{ status: 'generating', export_id: 'e1' }],
			status: [complete('https://s/old'), complete('https://s/new')],
			download: [EXPIRED, ARCHIVE],
		});
		await runExport(steps, settings, target);
		assert.deepEqual(calls.slice(-3), ['download https://s/old', 'status e1', 'download https://s/new']);
	});

	it('asks again by POST for a refused link that came without an export ID, and gives up after two fresh links', async () => {
		const { steps, calls } = scripted({ request: [complete(), complete(), complete()], download: [EXPIRED, EXPIRED, EXPIRED] });
		await assert.rejects(runExport(steps, settings, target), /kept being refused, even after 2 fresh links/);
		assert.equal(calls.filter((call) => call === 'request').length, 3);
	});

	it('stops at the deadline, naming the checks made and the export ID', async () => {
		const generating = Array.from({ length: 50 }, () => ({ status: 'generating' }));
		const { steps } = scripted({ request: [{ status: 'generating', export_id: 'e1' }], status: generating });
		steps.wait = async (ms) => await new Promise((resolve) => setTimeout(resolve, ms));
		await assert.rejects(runExport(steps, { ...settings, pollIntervalMs: 20, timeoutMs: 70 }, target), (error: unknown) => {
			assert.ok(error instanceof ExportError);
			assert.match(error.message, /^The export of batch b1 was not ready after 0\.1 s \(\d status checks\)$/);
			assert.match(error.hint, /\(export ID e1\)/);
			return true;
		});
	});

	it('says the export was not ready when a status request runs into the deadline', async () => {
		const { steps } = scripted({ request: [{ status: 'generating', export_id: 'e1' }] });
		steps.getExportStatus = async () => await Promise.reject(OUT_OF_TIME);
		await assert.rejects(runExport(steps, settings, target), (error: unknown) => {
			assert.ok(error instanceof ExportError);
			assert.equal(error.message, 'The export of batch b1 was not ready after 1 min (1 status checks)');
			return true;
		});
	});

	it('refuses a status it does not know, and a complete without a link', async () => {
		for (const job of [{ status: 'exploded' }, { status: 'complete' }]) {
			const { steps } = scripted({ request: [job] });
			await assert.rejects(runExport(steps, settings, target), /unexpected status/);
		}
	});

	it('requests a job that vanished afresh, after a status check or a refused link, and gives up when it keeps vanishing', async () => {
		const job = (id: string): ExportJob => ({ status: 'generating', export_id: id });
		const { steps, calls } = scripted({
			request: [job('e1'), job('e2'), job('e3')],
			status: [GONE, complete('https://s/2'), GONE, complete('https://s/3')],
			download: [EXPIRED, ARCHIVE],
		});
		const done = await runExport(steps, settings, target);
		assert.equal(done.exportId, 'e3');
		assert.deepEqual(calls.filter((call) => !call.startsWith('wait')), [
			'request', 'status e1', 'request', 'status e2', 'download https://s/2', 'status e2', 'request', 'status e3', 'download https://s/3',
		]);
		const again = scripted({ request: [job('e1'), job('e2'), job('e3')], status: [GONE, GONE, GONE] });
		await assert.rejects(runExport(again.steps, settings, target), (error: unknown) => {
			assert.ok(error instanceof ExportError);
			assert.equal(error.message, 'The export of batch b1 was deleted 3 times while the node waited for it (last export ID e3)');
			assert.match(error.hint, /another run exporting the same batch at the same time/);
			return true;
		});
	});

	it('does not request an export ID it was given that was never there (the ID is wrong), but one it started', async () => {
		const { steps, calls } = scripted({ status: [GONE] });
		await assert.rejects(runExport(steps, settings, target, 'typo'), (error: unknown) => error === GONE);
		assert.deepEqual(calls, ['status typo']);
		const started = scripted({ status: [GONE], request: [{ status: 'complete', url: 'https://s/4' }], download: [ARCHIVE] });
		await runExport(started.steps, settings, target, 'started-here');
		assert.deepEqual(started.calls, ['status started-here', 'request', 'download https://s/4'], 'one this workflow started is requested afresh');
	});
});
