/**
 * The user-facing examples/ in REAL n8n, against the Prolific emulator: each outside service's
 * node (Google Sheets, Slack, S3) is swapped for an HTTP Request to a local catcher, so the test
 * sees exactly what would have reached the service.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { ProlificEmulator } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { BATCH_ID, COLUMNS, REPORT_COLUMNS, REPORT_ROWS, ROWS, SUBMISSION, SUBMISSION_FILES, TASK, TOTAL_FILES } from '../fixtures/sample-expected';
import { Catcher, fetchArchive, startSampleEmulator } from './lib/emulator';
import { loadExamples, pointAtBatch, withStandIns } from './lib/examples';
import { host, majors } from './lib/hosts';
import { N8nInstance, nodeItems, type ExecuteResult } from './lib/n8n';
import { packageTarball } from './lib/package';
import { CREDENTIAL, credentials, NODE_TYPE } from './lib/workflows';

const examples = loadExamples();
const ID: Record<string, string> = {
	'prolific-rows-to-google-sheets.json': 'exampleSheets',
	'prolific-batch-report-to-google-sheets.json': 'exampleReportSheets',
	'prolific-export-summary-to-slack.json': 'exampleSlack',
	'prolific-nightly-export-files-to-s3.json': 'exampleNightly',
	'step-by-step-export.json': 'exampleStepByStep',
};

function succeeded(result: ExecuteResult): void {
	const error = result.run?.data.resultData.error;
	assert.equal(result.exitCode, 0, `n8n execute failed: ${error?.message ?? result.messages.slice(-15).join('\n')}\n${result.stderr}`);
}

describe('examples/', () => {
	it('are importable workflows that use the Prolific node, each run by a test below, with no IDs or secrets inside', () => {
		assert.deepEqual(examples.map((e) => e.file).sort(), Object.keys(ID).sort());
		for (const { file, workflow } of examples) {
			assert.equal(typeof workflow.name, 'string', file);
			assert.ok(workflow.nodes.some((n) => n.type === NODE_TYPE), `${file} uses the Prolific node`);
			assert.equal(workflow.id, undefined, `${file} carries no workflow ID`);
			for (const node of workflow.nodes) {
				// None, or the emulator credential `npm start` creates: users pick their own on import.
				const refs = Object.values(node.credentials ?? {});
				for (const ref of refs) assert.deepEqual(ref, CREDENTIAL, `${file}: ${node.name} references only the emulator credential`);
			}
			const names = new Set(workflow.nodes.map((n) => n.name));
			for (const [from, outputs] of Object.entries(workflow.connections as Record<string, { main: Array<Array<{ node: string }>> }>)) {
				assert.ok(names.has(from), `${file}: connection from unknown node ${from}`);
				for (const link of outputs.main.flat()) assert.ok(names.has(link.node), `${file}: connection to unknown node ${link.node}`);
			}
		}
	});
});

for (const major of majors()) {
	describe(`examples/ in n8n ${major}.x, outside services stood in for by a local catcher`, () => {
		let emulator: ProlificEmulator;
		let catcher: Catcher;
		let n8n: N8nInstance;

		before(async () => {
			emulator = await startSampleEmulator();
			catcher = await Catcher.start();
			n8n = await N8nInstance.create(host(major));
			await n8n.installPackage(packageTarball());
			await n8n.importCredentials(credentials(emulator.apiUrl, emulator.token));
			await n8n.importWorkflows(
				examples.map(({ file, workflow }) =>
					withStandIns(
						pointAtBatch(workflow, { id: ID[file], credential: CREDENTIAL, batchId: BATCH_ID, options: { pollInterval: 0.1 } }),
						catcher.url,
					),
				),
			);
		});
		after(async () => {
			await n8n?.dispose();
			await catcher?.close();
			await emulator?.close();
		});

		it('Google Sheets: one row per submission and task, the same columns on every row', async () => {
			catcher.clear();
			succeeded(await n8n.execute(ID['prolific-rows-to-google-sheets.json']));
			const appended = catcher.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/sheets/'));
			assert.equal(appended.length, 20, 'one append per row');
			const rows = appended.map((r) => JSON.parse(r.body.toString('utf8')) as Record<string, string>);
			for (const row of rows) assert.deepEqual(Object.keys(row), COLUMNS.slice(0, -1));
			assert.deepEqual(
				rows.map((r) => `${r.submission_id}/${r.task_id}`).sort(),
				SUBMISSION.flatMap((s) => TASK.map((t) => `${s}/${t}`)).sort(),
			);
			for (const [s, t, expected] of ROWS) {
				const { files: _files, ...cells } = expected;
				assert.deepEqual(
					rows.find((r) => r.submission_id === SUBMISSION[s] && r.task_id === TASK[t]),
					cells,
				);
			}
		});

		it("Google Sheets from the batch report: one row per report row, the report's columns on every row, no export job", async () => {
			catcher.clear();
			const seen = emulator.requests.length;
			succeeded(await n8n.execute(ID['prolific-batch-report-to-google-sheets.json']));
			const appended = catcher.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/sheets/'));
			assert.equal(appended.length, 20, 'one append per report row');
			const rows = appended.map((r) => JSON.parse(r.body.toString('utf8')) as Record<string, string>);
			for (const row of rows) assert.deepEqual(Object.keys(row), REPORT_COLUMNS);
			for (const [index, expected] of REPORT_ROWS) assert.deepEqual(rows[index], expected);
			assert.ok(emulator.requests.slice(seen).every((r) => !r.path.includes('/export')), 'no export requested');
		});

		it('Slack: one message with the export’s summary', async () => {
			catcher.clear();
			succeeded(await n8n.execute(ID['prolific-export-summary-to-slack.json']));
			const posts = catcher.requests.filter((r) => r.path === '/slack/chat.postMessage');
			assert.equal(posts.length, 1);
			const { channel, text } = JSON.parse(posts[0].body.toString('utf8')) as { channel: string; text: string };
			assert.equal(channel, '#research-ops');
			const kb = Math.round((await fetchArchive(emulator, BATCH_ID)).length / 1024);
			const lines = text.split('\n');
			assert.equal(lines.length, 4, text);
			assert.equal(lines[0], ':white_check_mark: Prolific export of *Product Image Annotation* is ready');
			assert.equal(lines[1], '• 5 submissions from 5 participants, 4 tasks');
			assert.equal(lines[2], `• ${TOTAL_FILES} uploaded files, 0 missing`);
			assert.match(lines[3], new RegExp(`^• Archive: ${BATCH_ID}-export-\\d{8}-\\d{6}\\.zip \\(${kb} KB\\), link valid until \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
		});

		it('nightly export: every uploaded file reaches storage, one upload per file, byte for byte', async () => {
			catcher.clear();
			succeeded(await n8n.execute(ID['prolific-nightly-export-files-to-s3.json']));
			const uploads = catcher.requests.filter((r) => r.method === 'PUT' && r.path === '/s3/my-prolific-exports');
			assert.equal(uploads.length, TOTAL_FILES);
			const keys = uploads.map((u) => u.query.get('key') ?? '');
			assert.equal(new Set(keys).size, TOTAL_FILES, 'every file has its own key');
			const unclaimed = new Set(uploads);
			SUBMISSION_FILES.forEach((files, s) =>
				files.forEach(([, , name, path]) => {
					const bytes = sampleBatch.files[path];
					const upload = [...unclaimed].find((u) => u.body.equals(bytes));
					assert.ok(upload, `${path} (${name}) was uploaded byte for byte`);
					unclaimed.delete(upload);
					const key = upload.query.get('key') ?? '';
					assert.match(key, new RegExp(`^prolific/${BATCH_ID}/\\d{4}-\\d{2}-\\d{2}/${SUBMISSION[s]}_[^/]+$`), `key of ${path}`);
					const mime = path.endsWith('.pdf') ? 'application/pdf' : path.endsWith('.png') ? 'image/png' : 'image/jpeg';
					assert.equal(upload.headers['content-type'], mime, key);
				}),
			);
			assert.ok(keys.includes(`prolific/${BATCH_ID}/${keys[0].split('/')[2]}/${SUBMISSION[0]}_IMG_2041.jpg`), keys.join('\n'));
		});

		it('step by step: Start Export, Wait, Get Export Status until complete, Download Export', async () => {
			// A batch with no export yet: Prolific starts one (202 generating, with an export ID);
			// then again, when Prolific hands back that finished export at once (200, no ID).
			emulator.reset();
			for (const path of ['generating, then polled', 'complete at once']) {
				const result = await n8n.execute(ID['step-by-step-export.json']);
				succeeded(result);
				const rows = nodeItems(result, 'Download Export');
				assert.equal(rows.length, 20, path);
				for (const [s, t, expected] of ROWS) {
					const row = rows.find((r) => r.json.submission_id === SUBMISSION[s] && r.json.task_id === TASK[t]);
					assert.deepEqual(row?.json, expected, path);
				}
			}
		});
	});
}
