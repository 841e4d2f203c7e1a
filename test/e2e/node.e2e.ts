/**
 * Prolific Batch Export in REAL n8n (2.x on Node 24, 1.x on Node 20): the `npm pack` tarball
 * installed as users install it, a credential and workflows imported with n8n's CLI, run with
 * `n8n execute` against the Prolific emulator on 127.0.0.1, and the items n8n printed and the
 * binary files it stored on disk checked against the sample batch.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import JSZip from 'jszip';

import type { ProlificEmulator } from '../emulator';
import { otherBatch, sampleBatch } from '../fixtures/sample-batch';
import { buildReport } from '../emulator';
import {
	BATCH_ID,
	COLUMNS,
	PARTICIPANT,
	REPORT_COLUMNS,
	REPORT_ROWS,
	ROWS,
	SUBMISSION,
	SUBMISSION_FILES,
	TASK,
	TOTAL_FILES,
} from '../fixtures/sample-expected';
import { fetchArchive, startSampleEmulator } from './lib/emulator';
import { host, majors } from './lib/hosts';
import { N8nInstance, nodeItems, type ExecuteResult, type Item } from './lib/n8n';
import { packageTarball } from './lib/package';
import { credentials, exportWorkflow, NODE_NAME, PACKAGE, WRONG_CREDENTIAL } from './lib/workflows';

const UNKNOWN_BATCH = '00000000-0000-4000-8000-00000000dead';

const WORKFLOWS = [
	exportWorkflow('e2eSubmissions', { batches: [BATCH_ID], output: 'submissions' }),
	exportWorkflow('e2eTasks', { batches: [BATCH_ID], output: 'tasks' }),
	exportWorkflow('e2eRows', { batches: [BATCH_ID], output: 'rows', includeFiles: false }),
	exportWorkflow('e2eRowsFiles', { batches: [BATCH_ID], output: 'rows', options: { binaryPropertyPrefix: 'upload_' } }),
	exportWorkflow('e2eArchive', { batches: [BATCH_ID], output: 'archive' }),
	exportWorkflow('e2eFiles', { batches: [BATCH_ID], output: 'files' }),
	exportWorkflow('e2eReport', { batches: [BATCH_ID], output: 'report', options: { attachReport: true } }),
	exportWorkflow('e2eWrongToken', { batches: [BATCH_ID], credential: WRONG_CREDENTIAL }),
	exportWorkflow('e2eFailing', { batches: [otherBatch.batch_id, BATCH_ID], output: 'submissions', options: { failedRetries: 1 } }),
	exportWorkflow('e2eFailingCont', {
		batches: [otherBatch.batch_id, BATCH_ID, UNKNOWN_BATCH],
		output: 'submissions',
		options: { failedRetries: 1 },
		continueOnFail: true,
	}),
];

const sampleFile = (path: string): Buffer => {
	const bytes = sampleBatch.files[path];
	assert.ok(bytes, `the sample batch has ${path}`);
	return bytes;
};

function succeeded(result: ExecuteResult): void {
	const error = result.run?.data.resultData.error;
	assert.equal(result.exitCode, 0, `n8n execute failed: ${error?.message ?? result.messages.slice(-15).join('\n')}\n${result.stderr}`);
	assert.equal(error, undefined);
}

/** A failed run: exit code 1 and n8n's error for the node, as the execution records it. */
function failedWith(result: ExecuteResult): { message: string; description: string } {
	assert.equal(result.exitCode, 1, `expected the workflow to fail:\n${result.messages.slice(-10).join('\n')}`);
	const error = result.run?.data.resultData.error;
	assert.ok(error, 'the execution records an error');
	assert.equal(error.node?.name, NODE_NAME);
	return { message: String(error.message), description: String(error.description) };
}

for (const major of majors()) {
	describe(`Prolific Batch Export in n8n ${major}.x`, () => {
		let emulator: ProlificEmulator;
		let n8n: N8nInstance;

		before(async () => {
			emulator = await startSampleEmulator();
			n8n = await N8nInstance.create(host(major));
			await n8n.installPackage(packageTarball());
			await n8n.importCredentials(credentials(emulator.apiUrl, emulator.token));
			await n8n.importWorkflows(WORKFLOWS);
		});
		after(async () => {
			await n8n?.dispose();
			await emulator?.close();
		});

		it(`runs n8n ${major}.x from the npm registry, with the package installed from its npm pack tarball`, () => {
			assert.equal(n8n.host.n8nVersion.split('.')[0], String(major));
			assert.match(n8n.host.nodeVersion, major === 2 ? /^v24\./ : /^v20\./);
			const installed = join(n8n.userFolder, '.n8n', 'nodes', 'node_modules');
			const manifest = JSON.parse(readFileSync(join(installed, PACKAGE, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } };
			for (const file of manifest.n8n.nodes) assert.ok(existsSync(join(installed, PACKAGE, file)), file);
			for (const dependency of ['csv-parse', 'luxon']) assert.ok(existsSync(join(installed, dependency, 'package.json')), `${dependency} came along as a dependency`);
			assert.equal(existsSync(join(installed, 'jszip')), false, 'jszip is only for building test archives');
			assert.equal(existsSync(join(installed, 'n8n-workflow')), false, 'n8n-workflow is n8n’s own (peer dependency left out)');
			assert.equal(existsSync(join(installed, PACKAGE, 'src')), false);
		});

		it('Submissions: one item per submission, every upload stored by n8n on disk byte for byte', async () => {
			emulator.reset();
			const result = await n8n.execute('e2eSubmissions');
			succeeded(result);
			const items = nodeItems(result, NODE_NAME);
			assert.deepEqual(items.map((i) => i.json.submission_id), SUBMISSION);
			assert.deepEqual(items.map((i) => i.json.participant_id), PARTICIPANT);
			let stored = 0;
			items.forEach((item, s) => {
				assert.deepEqual(item.pairedItem, { item: 0 });
				const expected = SUBMISSION_FILES[s];
				const files = item.json.files as Array<Record<string, unknown>>;
				assert.deepEqual(
					files.map((f) => [f.binary_property, f.task_id, f.instruction_id, f.name, f.path, f.status]),
					expected.map(([task, instruction, name, path], n) => [`file_${n}`, task, instruction, name, path, 'attached']),
				);
				assert.deepEqual(Object.keys(item.binary ?? {}), expected.map((_, n) => `file_${n}`));
				expected.forEach(([, , name, path], n) => {
					const meta = item.binary![`file_${n}`];
					assert.equal(meta.fileName, name);
					assert.equal(meta.mimeType, path.endsWith('.pdf') ? 'application/pdf' : path.endsWith('.png') ? 'image/png' : 'image/jpeg');
					assert.ok(n8n.readBinary(meta).equals(sampleFile(path)), `bytes n8n stored for ${path}`);
					stored++;
				});
			});
			assert.equal(stored, TOTAL_FILES);
			// The responses are Prolific's own, including the instruction type no doc mentions.
			const second = items[1].json.responses as Record<string, Record<string, unknown>>;
			assert.deepEqual(second[TASK[2]]['0195b2c4-7e10-7a3b-8c4d-1e2f3a4b5c08'], {
				type: 'rank_order',
				description: 'Rank the three reference shots by similarity',
				ranking: ['c', 'b', 'a'],
			});
		});

		it('sends the credential’s token to the API only, never to the storage host', () => {
			const api = emulator.requests.filter((r) => r.origin === 'api');
			const downloads = emulator.requests.filter((r) => r.origin === 'download');
			assert.ok(api.length >= 2 && downloads.length >= 1, `requests seen: ${emulator.requests.map((r) => r.path).join(', ')}`);
			for (const request of api) assert.equal(request.headers.authorization, `Token ${emulator.token}`);
			for (const request of downloads) assert.equal(request.headers.authorization, undefined);
		});

		it("through n8n's own HTTP client: a gzipping, redirecting storage host gives the same uploads; a redirect to plain HTTP is refused", async () => {
			emulator.reset();
			emulator.inject({ route: 'download', status: 302, headers: { location: '{request}' } });
			emulator.inject({ route: 'download', gzip: 'always' });
			const result = await n8n.execute('e2eSubmissions');
			succeeded(result);
			const items = nodeItems(result, NODE_NAME);
			assert.equal(items.length, SUBMISSION.length);
			const [, , name, path] = SUBMISSION_FILES[0][0];
			assert.equal(items[0].binary!.file_0.fileName, name);
			assert.ok(n8n.readBinary(items[0].binary!.file_0).equals(sampleFile(path)), `bytes n8n stored for ${path}`);
			const downloads = emulator.requests.filter((r) => r.origin === 'download');
			assert.deepEqual(downloads.map((r) => r.headers['accept-encoding']), ['identity', 'identity']);

			emulator.reset();
			emulator.inject({ route: 'download', status: 302, headers: { location: 'http://downloads.example.test/export.zip' } });
			const refused = failedWith(await n8n.execute('e2eSubmissions'));
			assert.equal(refused.message, 'The download link redirected to a link that is not HTTPS');
		});

		it('Tasks: one item per task with that task’s uploads', async () => {
			const result = await n8n.execute('e2eTasks');
			succeeded(result);
			const items = nodeItems(result, NODE_NAME);
			assert.deepEqual(items.map((i) => i.json.task_id), TASK);
			let stored = 0;
			items.forEach((item, t) => {
				const responses = item.json.responses as Array<{ submission_id: string }>;
				assert.deepEqual(responses.map((r) => r.submission_id), SUBMISSION);
				const expected = SUBMISSION_FILES.flat().filter(([task]) => task === TASK[t]);
				const files = item.json.files as Array<{ binary_property: string; name: string; path: string }>;
				assert.deepEqual(files.map((f) => [f.name, f.path]), expected.map(([, , name, path]) => [name, path]));
				for (const file of files) {
					assert.ok(n8n.readBinary(item.binary![file.binary_property]).equals(sampleFile(file.path)), file.path);
					stored++;
				}
			});
			assert.equal(stored, TOTAL_FILES);
		});

		it('Rows: one flat, spreadsheet-ready row per submission and task', async () => {
			const result = await n8n.execute('e2eRows');
			succeeded(result);
			const items = nodeItems(result, NODE_NAME);
			assert.equal(items.length, 20);
			for (const item of items) {
				assert.deepEqual(Object.keys(item.json), COLUMNS.slice(0, -1), 'no files column without files');
				assert.deepEqual(item.binary ?? {}, {});
			}
			for (const [s, t, row] of ROWS) {
				const { files: _files, ...cells } = row;
				const item = items.find((i) => i.json.submission_id === SUBMISSION[s] && i.json.task_id === TASK[t]);
				assert.deepEqual(item?.json, cells);
			}
		});

		it('Rows with files, under a custom binary property prefix', async () => {
			const result = await n8n.execute('e2eRowsFiles');
			succeeded(result);
			const items = nodeItems(result, NODE_NAME);
			assert.equal(items.length, 20);
			for (const [s, t, row] of ROWS) {
				const item = items.find((i) => i.json.submission_id === SUBMISSION[s] && i.json.task_id === TASK[t]) as Item;
				assert.deepEqual(item.json, { ...row, files: row.files.replace(/file_/g, 'upload_') });
			}
			const twoFiles = items.find((i) => i.json.submission_id === SUBMISSION[2] && i.json.task_id === TASK[0]) as Item;
			assert.deepEqual(Object.keys(twoFiles.binary ?? {}), ['upload_0', 'upload_1']);
			assert.ok(n8n.readBinary(twoFiles.binary!.upload_1).equals(sampleFile(SUBMISSION_FILES[2][1][3])));
			const all = items.reduce((sum, i) => sum + Object.keys(i.binary ?? {}).length, 0);
			assert.equal(all, TOTAL_FILES);
		});

		it('Archive: the export ZIP stored by n8n equals the one Prolific served, with a summary', async () => {
			const result = await n8n.execute('e2eArchive');
			succeeded(result);
			const items = nodeItems(result, NODE_NAME);
			assert.equal(items.length, 1);
			const [item] = items;
			const served = await fetchArchive(emulator, BATCH_ID);
			assert.equal(item.json.batch_id, BATCH_ID);
			assert.equal(item.json.batch_name, 'Product Image Annotation');
			assert.equal(item.json.size_bytes, served.length);
			assert.equal(item.json.submissions, 5);
			assert.equal(item.json.participants, 5);
			assert.equal(item.json.tasks, 4);
			assert.equal(item.json.files, TOTAL_FILES);
			assert.equal(item.json.missing_files, 0);
			assert.match(String(item.json.file_name), new RegExp(`^${BATCH_ID}-export-\\d{8}-\\d{6}\\.zip$`));
			const zip = item.binary!.data;
			assert.equal(zip.fileName, item.json.file_name);
			assert.equal(zip.mimeType, 'application/zip');
			const stored = n8n.readBinary(zip);
			assert.ok(stored.equals(served), 'n8n stored the archive byte for byte');
			const entries = (await JSZip.loadAsync(stored)).files;
			for (const [path, bytes] of Object.entries(sampleBatch.files)) {
				assert.ok((await entries[path].async('nodebuffer')).equals(bytes), path);
			}
		});

		it('Files: one item per uploaded file, its bytes stored by n8n under `data`', async () => {
			const result = await n8n.execute('e2eFiles');
			succeeded(result);
			const items = nodeItems(result, NODE_NAME);
			assert.equal(items.length, TOTAL_FILES);
			const expected = SUBMISSION_FILES.flatMap((files, s) => files.map(([task, instruction, name, path]) => ({ s, task, instruction, name, path })));
			assert.deepEqual(
				items.map((i) => i.json.path).sort(),
				expected.map((e) => e.path).sort(),
			);
			for (const item of items) {
				const file = expected.find((e) => e.path === item.json.path)!;
				assert.equal(item.json.batch_id, BATCH_ID);
				assert.equal(item.json.submission_id, SUBMISSION[file.s]);
				assert.equal(item.json.participant_id, PARTICIPANT[file.s]);
				assert.equal(item.json.task_id, file.task);
				assert.equal(item.json.instruction_id, file.instruction);
				assert.equal(item.json.original_name, file.name);
				assert.deepEqual(Object.keys(item.binary ?? {}), ['data']);
				assert.equal(item.binary!.data.fileName, item.json.file_name);
				assert.ok(String(item.json.file_name).startsWith(`${SUBMISSION[file.s]}_`), String(item.json.file_name));
				assert.ok(n8n.readBinary(item.binary!.data).equals(sampleFile(file.path)), `bytes n8n stored for ${file.path}`);
			}
			assert.equal(new Set(items.map((i) => i.json.file_name)).size, TOTAL_FILES, 'file names are unique');
		});

		it("Report: one item per row of the batch report, the CSV stored by n8n on the first; no export job", async () => {
			const seen = emulator.requests.length;
			const result = await n8n.execute('e2eReport');
			succeeded(result);
			const items = nodeItems(result, NODE_NAME);
			assert.equal(items.length, 20);
			for (const item of items) assert.deepEqual(Object.keys(item.json), REPORT_COLUMNS);
			for (const [index, row] of REPORT_ROWS) assert.deepEqual(items[index].json, row);
			const csv = items[0].binary!.data;
			assert.equal(csv.mimeType, 'text/csv');
			assert.match(String(csv.fileName), new RegExp(`^${BATCH_ID}-report-\\d{8}-\\d{6}\\.csv$`));
			assert.ok(n8n.readBinary(csv).equals(buildReport(sampleBatch)), 'n8n stored the report byte for byte');
			assert.ok(items.slice(1).every((item) => item.binary === undefined || Object.keys(item.binary).length === 0));
			const api = emulator.requests.slice(seen).filter((r) => r.origin === 'api').map((r) => `${r.method} ${r.path}`);
			assert.deepEqual(api, [`GET /api/v1/data-collection/batches/${BATCH_ID}/report/`]);
		});

		it('wrong token: the run fails with the credential error, the token nowhere in it', async () => {
			const result = await n8n.execute('e2eWrongToken');
			const { message, description } = failedWith(result);
			assert.equal(message, 'Prolific rejected the API token');
			assert.match(description, /Check the API Token in the Prolific API credential/);
			assert.ok(!result.stdout.includes('not-a-valid-token'), 'the wrong token is not in n8n’s output');
			assert.ok(!result.stdout.includes(emulator.token), 'no token is in n8n’s output');
		});

		it('a failing batch stops the workflow without "continue on fail"', async () => {
			emulator.reset();
			emulator.inject({ route: 'export.status', batchId: BATCH_ID, exportFailed: true, times: 2 });
			const result = await n8n.execute('e2eFailing');
			const { message, description } = failedWith(result);
			assert.equal(message, `Prolific could not generate the export of batch ${BATCH_ID} (failed 2 times)`);
			assert.ok(description.length > 0);
			assert.equal(nodeItems(result, NODE_NAME).length, 0, 'no items come out of the failed node');
		});

		it('with "continue on fail" each failing batch becomes one error item and the others go on', async () => {
			emulator.reset();
			emulator.inject({ route: 'export.status', batchId: BATCH_ID, exportFailed: true, times: 2 });
			const result = await n8n.execute('e2eFailingCont');
			succeeded(result);
			const items = nodeItems(result, NODE_NAME);
			assert.deepEqual(
				items.map((i) => [i.json.submission_id ?? null, i.pairedItem]),
				[
					[otherBatch.submissions[0].submission_id, { item: 0 }],
					[otherBatch.submissions[1].submission_id, { item: 0 }],
					[null, { item: 1 }],
					[null, { item: 2 }],
				],
			);
			assert.equal(items[2].json.error, `Prolific could not generate the export of batch ${BATCH_ID} (failed 2 times)`);
			assert.equal(items[3].json.error, `Batch ${UNKNOWN_BATCH} not found`);
			assert.match(String(items[3].json.description), /Check the ID/);
		});
	});
}
