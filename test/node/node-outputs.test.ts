import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import JSZip from 'jszip';

import type { ProlificEmulator } from '../emulator';
import { buildArchive } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import {
	BATCH_ID,
	COLUMNS,
	PARTICIPANT,
	ROWS,
	SUBMISSION,
	SUBMISSION_FILES,
	TASK,
	TOTAL_FILES,
} from '../fixtures/sample-expected';
import { runExport, startEmulator } from '../support/setup';

let emulator: ProlificEmulator;
before(async () => {
	emulator = await startEmulator();
});
after(async () => await emulator.close());

const fileBytes = (path: string) => sampleBatch.files[path];

describe('Submissions output', () => {
	it('gives one item per submission with every uploaded file attached under file_<n>', async () => {
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		assert.deepEqual(
			run.items.map((item) => item.json.submission_id),
			SUBMISSION,
		);
		assert.deepEqual(
			run.items.map((item) => item.json.participant_id),
			PARTICIPANT,
		);
		let attached = 0;
		run.items.forEach((item, s) => {
			assert.deepEqual(item.pairedItem, { item: 0 });
			const expected = SUBMISSION_FILES[s];
			assert.deepEqual(
				item.json.files,
				expected.map(([task, instruction, name, path], n) => ({
					binary_property: `file_${n}`,
					task_id: task,
					instruction_id: instruction,
					name,
					path,
					size: fileBytes(path).length,
					status: 'attached',
				})),
			);
			assert.deepEqual(Object.keys(item.binary), expected.map((_, n) => `file_${n}`));
			expected.forEach(([, , name, path], n) => {
				const binary = item.binary[`file_${n}`];
				assert.ok(binary.bytes.equals(fileBytes(path)), `bytes of ${path}`);
				assert.equal(binary.fileName, name);
				assert.ok(binary.id?.startsWith('filesystem'), 'binary lives in the filesystem store');
				attached++;
			});
		});
		assert.equal(attached, TOTAL_FILES);
	});

	it('keeps the record as Prolific wrote it, unknown instruction types included', async () => {
		const run = await runExport(emulator, { batchId: BATCH_ID, includeFiles: false });
		const second = run.items[1].json as { responses: Record<string, Record<string, unknown>> };
		assert.deepEqual(second.responses[TASK[2]]['0195b2c4-7e10-7a3b-8c4d-1e2f3a4b5c08'], {
			type: 'rank_order',
			description: 'Rank the three reference shots by similarity',
			ranking: ['c', 'b', 'a'],
		});
		assert.deepEqual(second.responses[TASK[2]]['0195b2c4-7e10-7a3b-8c4d-1e2f3a4b5c05'], {
			type: 'multiple_choice_with_free_text',
			description: 'Is the photo usable?',
			values: [{ option: 'No', explanation: 'Blurry, taken in low light' }],
		});
		assert.equal(run.items[0].json.created_at, '2026-03-19T08:12:03Z');
		assert.equal(run.items[0].json.batch_id, BATCH_ID);
		assert.equal('files' in run.items[0].json, false);
		assert.deepEqual(run.items[0].binary, {});
	});

	it('uses the binary property prefix option', async () => {
		const run = await runExport(emulator, { batchId: BATCH_ID, options: { binaryPropertyPrefix: 'upload' } });
		assert.deepEqual(Object.keys(run.items[1].binary), ['upload0', 'upload1', 'upload2', 'upload3']);
	});
});

describe('Tasks output', () => {
	it('gives one item per task with that task’s files', async () => {
		const run = await runExport(emulator, { batchId: BATCH_ID, output: 'tasks' });
		assert.equal(run.status, 'success', run.error?.message);
		assert.deepEqual(
			run.items.map((item) => item.json.task_id),
			TASK,
		);
		run.items.forEach((item, t) => {
			const responses = item.json.responses as Array<{ submission_id: string }>;
			assert.deepEqual(
				responses.map((response) => response.submission_id),
				SUBMISSION,
			);
			const expected = SUBMISSION_FILES.flat().filter(([task]) => task === TASK[t]);
			const files = item.json.files as Array<{ path: string; name: string; binary_property: string }>;
			assert.deepEqual(
				files.map((file) => [file.name, file.path]),
				expected.map(([, , name, path]) => [name, path]),
			);
			for (const file of files) assert.ok(item.binary[file.binary_property].bytes.equals(fileBytes(file.path)));
		});
		assert.equal(
			run.items.reduce((sum, item) => sum + Object.keys(item.binary).length, 0),
			TOTAL_FILES,
		);
	});
});

describe('Rows output', () => {
	it('gives one flat row per submission and task, one column per instruction', async () => {
		const run = await runExport(emulator, { batchId: BATCH_ID, output: 'rows' });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 20);
		for (const item of run.items) assert.deepEqual(Object.keys(item.json), COLUMNS);
		for (const [s, t, row] of ROWS) {
			const item = run.items[s * 4 + t];
			assert.deepEqual(item.json, row);
		}
		const withTwoFiles = run.items[2 * 4];
		assert.ok(withTwoFiles.binary.file_1.bytes.equals(fileBytes(SUBMISSION_FILES[2][1][3])));
		for (const item of run.items) {
			for (const value of Object.values(item.json)) assert.equal(typeof value, 'string');
		}
	});

	it('leaves out the files column when files are not included', async () => {
		const run = await runExport(emulator, { batchId: BATCH_ID, output: 'rows', includeFiles: false });
		assert.deepEqual(Object.keys(run.items[0].json), COLUMNS.slice(0, -1));
		assert.deepEqual(run.items[0].binary, {});
	});
});

describe('Archive output', () => {
	it('gives the ZIP as binary, named like the official CLI names it, with a summary', async () => {
		const run = await runExport(emulator, { batchId: BATCH_ID, output: 'archive', run: { timezone: 'Europe/Berlin' } });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 1);
		const [item] = run.items;
		const { file_name: fileName, expires_at: expiresAt, export_id: exportId, ...summary } = item.json;
		assert.deepEqual(summary, {
			batch_id: BATCH_ID,
			batch_name: 'Product Image Annotation',
			size_bytes: (await buildArchive(sampleBatch)).length,
			exported_at: '2026-03-20T09:00:00Z',
			submissions: 5,
			participants: 5,
			tasks: 4,
			files: TOTAL_FILES,
			missing_files: 0,
			unreferenced_files: 0,
		});
		assert.match(String(fileName), new RegExp(`^${BATCH_ID}-export-\\d{8}-\\d{6}\\.zip$`));
		assert.ok(Date.parse(String(expiresAt)) > Date.now());
		// Behaviour A hands back the earlier tests' export at once: a 200 with no export ID.
		assert.equal(exportId, null);
		const zip = item.binary.data;
		assert.equal(zip.fileName, fileName);
		assert.equal(zip.mimeType, 'application/zip');
		assert.ok(zip.bytes.equals(await buildArchive(sampleBatch)));
		const entries = Object.keys((await JSZip.loadAsync(zip.bytes)).files);
		assert.ok(entries.includes('responses-by-submission.jsonl'));
	});

	it('names the archive in the workflow’s time zone', async () => {
		const berlin = await runExport(emulator, { batchId: BATCH_ID, output: 'archive', run: { timezone: 'Asia/Tokyo' } });
		const utc = await runExport(emulator, { batchId: BATCH_ID, output: 'archive', run: { timezone: 'UTC' } });
		const hour = (name: unknown) => Number(String(name).slice(-10, -8));
		assert.equal((hour(utc.items[0].json.file_name) + 9) % 24, hour(berlin.items[0].json.file_name));
	});
});

describe('an Output set by an expression', () => {
	it('refuses a value that is no output, naming the valid ones, before asking Prolific for anything', async () => {
		const before = emulator.requests.length;
		const run = await runExport(emulator, { batchId: BATCH_ID, parameters: { output: '={{ "row" + "z" }}' } });
		assert.equal(run.status, 'error');
		assert.equal(run.error?.message, "'rowz' is not an output of this node");
		assert.equal(run.error?.description, 'Choose one of: archive, files, report, rows, submissions, summary, tasks.');
		assert.equal(run.items.length, 0);
		assert.equal(emulator.requests.length, before);
	});
});
