// First: every temporary file of this process must land where the test can see all of it.
import { privateTmpDir } from '../support/private-tmp';

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import type { IDataObject } from 'n8n-workflow';

import type { Fault, ProlificEmulator, RecordedRequest } from '../emulator';
import { buildArchive } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { BATCH_ID, SUBMISSION_FILES, TOTAL_FILES } from '../fixtures/sample-expected';
import type { RunResult } from '../harness';
import { harnessDir } from '../harness/env';
import { serveArchive, withDeclaredSize } from '../support/archives';
import { runExport, startEmulator, type ExportRun } from '../support/setup';

/**
 * The node has no file system access of its own (n8n's lint rules forbid it): it hands every
 * file to n8n's binary store. This proves it on disk. The process's temporary directory is a
 * private one, holding the harness's n8n user folder and nothing else, so every file that
 * appears during a run is seen: after a success only the binaries of the output items (and
 * their metadata) may appear, after a failure or a cancellation nothing, or, when the failure
 * came while files were being attached, only those binaries in the failed execution's own
 * folder of the store, which n8n deletes with the execution.
 */

const STORE_FILE = /^\.n8n\/storage\/workflows\/harness-workflow\/executions\/(\d+)\/binary_data\/[0-9a-f-]{36}(\.metadata)?$/;

/** Every file and folder under the private temporary directory, relative to the harness's user folder. */
function snapshot(): Set<string> {
	const root = privateTmpDir();
	const paths = readdirSync(root, { recursive: true, withFileTypes: true }).map((entry) => {
		const path = relative(harnessDir(), `${entry.parentPath}/${entry.name}`);
		return entry.isDirectory() ? `${path}/` : path;
	});
	return new Set(paths);
}

/** What appeared on disk during `work`, files and folders. */
async function created(work: () => Promise<void>): Promise<{ files: string[]; folders: string[] }> {
	const before = snapshot();
	await work();
	const added = [...snapshot()].filter((path) => !before.has(path)).sort();
	return { files: added.filter((path) => !path.endsWith('/')), folders: added.filter((path) => path.endsWith('/')) };
}

/** The store files of a run's binaries: each binary and its metadata. */
function storeFilesOf(run: RunResult): string[] {
	return run.items
		.flatMap((item) => Object.values(item.binary))
		.flatMap((binary) => {
			const path = `.n8n/storage/${String(binary.id).replace(/^filesystem-v2:/, '')}`;
			return [path, `${path}.metadata`];
		})
		.sort();
}

/** Folders may appear only on the way to a store file. */
function assertFoldersLeadToStoreFiles(folders: string[], files: string[]): void {
	for (const folder of folders) {
		assert.ok(
			files.some((file) => file.startsWith(folder)),
			`the folder ${folder} appeared without a store file in it`,
		);
	}
}

let emulator: ProlificEmulator;
before(async () => {
	emulator = await startEmulator();
	// The engine sets up its user folder (config, store root) on first use: not the node's doing.
	assert.equal((await runExport(emulator, { batchId: BATCH_ID })).status, 'success');
	assert.ok(harnessDir().startsWith(`${privateTmpDir()}/`), 'the harness’s n8n folder is in the private temporary directory');
	assert.deepEqual(
		[...snapshot()].filter((path) => path.startsWith('../')),
		[],
		'the private temporary directory holds nothing but the n8n folder',
	);
});
after(async () => await emulator.close());

describe('after a success, only the output items’ binaries are on disk', () => {
	for (const run of [
		{ output: 'submissions' },
		{ output: 'files' },
		{ output: 'archive' },
		{ output: 'rows', includeFiles: false },
		// The batch report is downloaded to a temporary file too, and read from it.
		{ output: 'report', options: { attachReport: true } },
	] satisfies ExportRun[]) {
		it(`${run.output}${run.includeFiles === false ? ' without files' : ''}`, async () => {
			let result: RunResult | undefined;
			const { files, folders } = await created(async () => {
				result = await runExport(emulator, { batchId: BATCH_ID, ...run });
			});
			assert.equal(result?.status, 'success', result?.error?.message);
			assert.deepEqual(files, storeFilesOf(result!));
			assertFoldersLeadToStoreFiles(folders, files);
			if (run.includeFiles === false) assert.deepEqual([...files, ...folders], []);
		});
	}
});

describe('after a failure, nothing is left', () => {
	const failures: Array<{ name: string; faults?: Fault[]; run?: ExportRun; message: RegExp }> = [
		{ name: 'the API refuses the token', run: { token: 'not-a-valid-token' }, message: /^Prolific rejected the API token$/ },
		{ name: 'the export fails', faults: [{ route: 'export.status', exportFailed: true, times: 3 }], message: /failed 3 times/ },
		{ name: 'the download is refused', faults: [{ route: 'download', status: 403, times: 10 }], message: /kept being refused/ },
		{ name: 'the archive is truncated', faults: [{ route: 'download', archive: 'truncated' }], message: /could not be read as a ZIP file/ },
		{ name: 'the archive is over Max Archive Size', run: { options: { maxArchiveSizeMb: 0.01 } }, message: /over the limit/ },
		{ name: 'the archive inflates past Max Archive Size', run: { options: { maxArchiveSizeMb: 0.02 } }, message: /inflates to more than/ },
		{ name: 'the batch report is not CSV', faults: [{ route: 'report.download', report: 'html' }], run: { output: 'report' }, message: /is not CSV/ },
		{ name: 'the batch report is not valid CSV', faults: [{ route: 'report.download', report: 'ragged' }], run: { output: 'report' }, message: /not valid CSV/ },
	];
	for (const failure of failures) {
		it(failure.name, async () => {
			emulator.reset();
			for (const fault of failure.faults ?? []) emulator.inject(fault);
			let result: RunResult | undefined;
			const { files, folders } = await created(async () => {
				result = await runExport(emulator, { batchId: BATCH_ID, ...failure.run });
			});
			assert.equal(result?.status, 'error');
			assert.match(String(result?.error?.message), failure.message);
			assert.deepEqual([...files, ...folders], []);
		});
	}

	it('a file that fails while files are attached: never it, only whole binaries with their metadata, in the failed execution’s store folder', async () => {
		// The first file of the third submission lies about its size: the first two submissions' files are stored by then,
		// and the files streaming beside it may finish.
		const [, , , path] = SUBMISSION_FILES[2][0];
		const size = sampleBatch.files[path].length;
		const batchId = serveArchive(emulator, withDeclaredSize(await buildArchive(sampleBatch), path, size + 1));
		let result: RunResult | undefined;
		const { files, folders } = await created(async () => {
			result = await runExport(emulator, { batchId });
		});
		assert.equal(result?.status, 'error');
		assert.equal(
			result?.error?.message,
			`The export archive is corrupt: '${path}' cannot be read (it inflated to ${size} bytes but declares ${size + 1})`,
		);
		const before = SUBMISSION_FILES[0].length + SUBMISSION_FILES[1].length;
		const binaries = files.filter((file) => !file.endsWith('.metadata'));
		assert.ok(binaries.length >= before && binaries.length < TOTAL_FILES, `${binaries.length} binaries stored`);
		assert.deepEqual(files, [...binaries, ...binaries.map((file) => `${file}.metadata`)].sort(), 'each with its metadata');
		const executions = new Set(files.map((file) => STORE_FILE.exec(file)?.[1]));
		assert.equal(executions.size, 1, `all in one execution's folder: ${[...executions].join(', ')}`);
		assert.ok(!executions.has(undefined), `only store files: ${files.join(', ')}`);
		assertFoldersLeadToStoreFiles(folders, files);
	});
});

describe('after a cancellation, nothing is left', () => {
	const isPost = (path: string, method: string) => method === 'POST' && path.endsWith('/export');
	const steps: Array<{ step: string; faults: Fault[]; at: (request: RecordedRequest) => boolean; options?: IDataObject }> = [
		{ step: 'while the export is requested', faults: [{ route: 'export.request', delayMs: 800 }], at: (r) => isPost(r.path, r.method) },
		{ step: 'between status checks', faults: [], at: (r) => isPost(r.path, r.method), options: { pollInterval: 30 } },
		{ step: 'while the archive downloads', faults: [{ route: 'download', delayMs: 800 }], at: (r) => r.origin === 'download' },
	];
	for (const { step, faults, at, options } of steps) {
		it(step, async () => {
			emulator.reset();
			for (const fault of faults) emulator.inject(fault);
			const controller = new AbortController();
			const watcher = setInterval(() => {
				if (!emulator.requests.some(at)) return;
				clearInterval(watcher);
				setTimeout(() => controller.abort(), 50);
			}, 5);
			let result: RunResult | undefined;
			const { files, folders } = await created(async () => {
				result = await runExport(emulator, { batchId: BATCH_ID, options, run: { signal: controller.signal } });
				clearInterval(watcher);
				// The node may still be unwinding after the engine reported the cancellation.
				await sleep(1_200);
			});
			assert.equal(result?.status, 'canceled');
			assert.deepEqual([...files, ...folders], []);
		});
	}
});

describe('after a killed run, the next run sweeps what it left', () => {
	it('an archive of a process that is gone, or untouched for two days, is removed; a live run’s is kept', async () => {
		// A real process creates its temporary archive as a run does, and is killed with it open.
		const module = join(__dirname, '../../nodes/ProlificBatchExport/temp-archive.ts');
		const script = `const { TempArchive } = require(${JSON.stringify(module)}); TempArchive.create().then(async (file) => { await file.write([Buffer.alloc(4096, 1)], 0); console.log(file.path); setInterval(() => {}, 1000); });`;
		const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
		const killed = String((await once(child.stdout, 'data'))[0]).trim();
		child.kill('SIGKILL');
		await once(child, 'exit');
		assert.ok(killed.startsWith(`${privateTmpDir()}/n8n-prolific-export-${child.pid}-`) && existsSync(killed), killed);
		const ours = (name: string) => join(privateTmpDir(), `n8n-prolific-export-${process.pid}-${name}.zip`);
		const [live, forgotten] = [ours(randomUUID()), ours(randomUUID())];
		writeFileSync(live, 'a run under way in this process');
		writeFileSync(forgotten, 'left two days ago');
		const twoDaysAgo = new Date(Date.now() - 48 * 3600 * 1000);
		utimesSync(forgotten, twoDaysAgo, twoDaysAgo);

		const result = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(result.status, 'success', result.error?.message);
		assert.ok(!existsSync(killed), 'the killed run’s archive is gone');
		assert.ok(!existsSync(forgotten), 'the forgotten archive is gone');
		assert.ok(existsSync(live), 'the live run’s archive is kept');
		rmSync(live);
	});
});
