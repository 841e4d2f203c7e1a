import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import type { IDataObject } from 'n8n-workflow';

import { buildArchive } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { BATCH_ID, COLUMNS, ROWS } from '../fixtures/sample-expected';
import { exportOf, INCOMPLETE_HINT, succeeded, suite, useArchiveSuite } from '../support/archive-suite';
import { failure, recordsArchive, serveArchive } from '../support/archives';
import { runExport } from '../support/setup';

/** Odd archives: prototype keys, Rows column names, missing metadata files, odd records. */

useArchiveSuite();

describe('prototype safety', () => {
	const SUB = '67dc00000000000000000b01';
	// Parsed, not written as literals: a literal `__proto__:` would set the prototype instead.
	const submission = JSON.parse(
		JSON.stringify({
			submission_id: SUB,
			participant_id: 'p-proto',
			created_at: '2026-03-19T09:00:00Z',
			PROTO: { polluted: 'record' },
			responses: {
				PROTO: {
					constructor: { type: 'free_text', description: 'PROTO', value: { PROTO: { polluted: 'value' } } },
					toString: {
						type: 'file_upload',
						description: 'toString',
						files: [{ name: 'a.png', path: `files/${SUB}_toString_0.png` }],
					},
				},
			},
		}).replaceAll('PROTO', '__proto__'),
	) as IDataObject;
	const task = JSON.parse(
		JSON.stringify({
			task_id: '__proto__',
			responses: [{ submission_id: SUB, ...(submission.responses as Record<string, IDataObject>)['__proto__'] }],
		}),
	) as IDataObject;
	const batch = {
		name: 'Proto',
		instructions: [
			{ id: 'constructor', type: 'free_text', description: '__proto__' },
			{ id: 'toString', type: 'file_upload', description: 'hasOwnProperty' },
		],
	};
	const files = { [`files/${SUB}_toString_0.png`]: 'PNG', __proto__: 'top', 'files/__proto__': 'stray' };
	const archive = recordsArchive({ submissions: [submission], tasks: [task], batch, files });

	after(() => {
		assert.equal(({} as IDataObject).polluted, undefined);
	});

	it('Submissions keep __proto__ and constructor keys as own data', async () => {
		const run = await exportOf(archive);
		succeeded(run);
		const [item] = run.items;
		assert.ok(Object.hasOwn(item.json, '__proto__'));
		assert.ok(Object.hasOwn(item.json.responses as object, '__proto__'));
		const { files: attached, ...record } = item.json;
		assert.equal(JSON.stringify(record), JSON.stringify(submission));
		assert.deepEqual(
			(attached as IDataObject[]).map((file) => [file.task_id, file.instruction_id, file.name, file.status]),
			[
				['__proto__', 'toString', 'a.png', 'attached'],
				[null, null, '__proto__', 'unreferenced'],
			],
		);
		assert.equal(item.binary.file_0.bytes.toString(), 'PNG');
		assert.equal(item.binary.file_1.bytes.toString(), 'stray');
		assert.equal(({} as IDataObject).polluted, undefined);
		assert.equal(typeof {}.toString, 'function');
	});

	it('Tasks keep a task called __proto__', async () => {
		const run = await exportOf(archive, { output: 'tasks' });
		succeeded(run);
		assert.equal(run.items[0].json.task_id, '__proto__');
		const [response] = run.items[0].json.responses as IDataObject[];
		assert.ok(Object.hasOwn(response, 'constructor'));
		assert.deepEqual(response.toString, (task.responses as IDataObject[])[0].toString);
		assert.equal(({} as IDataObject).polluted, undefined);
	});

	it('Rows get a column called __proto__ as an own property', async () => {
		const run = await exportOf(archive, { output: 'rows' });
		succeeded(run);
		const [row] = run.items;
		assert.deepEqual(Object.keys(row.json), [
			'submission_id',
			'participant_id',
			'task_id',
			'created_at',
			'__proto__',
			'hasOwnProperty',
			'files',
		]);
		assert.ok(Object.hasOwn(row.json, '__proto__'));
		assert.equal(row.json['__proto__'], '{"__proto__":{"polluted":"value"}}');
		assert.equal(row.json.hasOwnProperty, 'a.png');
		assert.equal(row.json.task_id, '__proto__');
		assert.equal(row.json.files, 'file_0: a.png; file_1: __proto__ (unreferenced)');
		assert.equal(({} as IDataObject).polluted, undefined);
	});
});

describe('Rows column names', () => {
	const SUB = '67dc00000000000000000c01';
	const TASK_ID = '4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a02';
	const answer = (description: string, value: string) => ({ type: 'free_text', description, value });
	const instructions = [
		{ id: 'i1', type: 'free_text', description: 'Describe' },
		{ id: 'i2', type: 'free_text', description: 'Describe' },
		{ id: 'i3', type: 'free_text', description: 'task_id' },
		{ id: 'i4', type: 'free_text', description: 'files' },
		{ id: 'i5', type: 'free_text', description: '  Describe  ' },
		{ id: 'i6', type: 'free_text', description: '' },
	];
	const responses = {
		[TASK_ID]: {
			i1: answer('Describe', 'one'),
			i2: answer('Describe', 'two'),
			i3: answer('task_id', 'three'),
			i4: answer('files', 'four'),
			i5: answer('  Describe  ', 'five'),
			i6: answer('', 'six'),
			i7: answer('Describe', 'seven'), // not in batch.json
		},
	};
	const archive = recordsArchive({
		submissions: [{ submission_id: SUB, participant_id: 'p', created_at: 'c', responses }],
		batch: { instructions },
	});
	const fixed = { submission_id: SUB, participant_id: 'p', task_id: TASK_ID, created_at: 'c' };

	it('makes duplicate descriptions and ones taken by fixed columns unique', async () => {
		const run = await exportOf(archive, { output: 'rows' });
		succeeded(run);
		assert.deepEqual(Object.entries(run.items[0].json), [
			...Object.entries(fixed),
			['Describe', 'one'],
			['Describe (2)', 'two'],
			['task_id (2)', 'three'],
			['files (2)', 'four'],
			['Describe (3)', 'five'],
			['i6', 'six'],
			['Describe (4)', 'seven'],
			['files', ''],
		]);
	});

	it('without files the files column is free for an instruction', async () => {
		const run = await exportOf(archive, { output: 'rows', includeFiles: false });
		assert.deepEqual(Object.entries(run.items[0].json), [
			...Object.entries(fixed),
			['Describe', 'one'],
			['Describe (2)', 'two'],
			['task_id (2)', 'three'],
			['files', 'four'],
			['Describe (3)', 'five'],
			['i6', 'six'],
			['Describe (4)', 'seven'],
		]);
	});
});

describe('incomplete archives', () => {
	it('without batch.json still gives Submissions and Rows, columns named from the responses', async () => {
		const batchId = serveArchive(suite.emulator, await buildArchive(sampleBatch, { omit: ['batch.json'] }));
		const clean = await runExport(suite.emulator, { batchId: BATCH_ID, includeFiles: false });
		const submissions = await runExport(suite.emulator, { batchId, includeFiles: false });
		succeeded(submissions);
		assert.deepEqual(
			submissions.items.map((item) => item.json),
			clean.items.map((item) => item.json),
		);
		const rows = await runExport(suite.emulator, { batchId, output: 'rows' });
		succeeded(rows);
		assert.equal(rows.items.length, 20);
		for (const item of rows.items) assert.deepEqual(Object.keys(item.json), COLUMNS);
		for (const [s, t, row] of ROWS) assert.deepEqual(rows.items[s * 4 + t].json, row);
		const summary = await runExport(suite.emulator, { batchId, output: 'archive' });
		assert.equal(summary.items[0].json.batch_name, null);
		assert.equal(summary.items[0].json.exported_at, null);
	});

	it('without responses-by-task.jsonl the Tasks output fails naming the file; Submissions still work', async () => {
		const batchId = serveArchive(suite.emulator, await buildArchive(sampleBatch, { omit: ['responses-by-task.jsonl'] }));
		assert.deepEqual(failure(await runExport(suite.emulator, { batchId, output: 'tasks' })), {
			status: 'error',
			message: 'The export archive has no responses-by-task.jsonl',
			description: INCOMPLETE_HINT,
		});
		const submissions = await runExport(suite.emulator, { batchId });
		succeeded(submissions);
		assert.equal(submissions.items.length, 5);
		// The Archive output counts the tasks with responses, as Summary does: from the submissions.
		const summary = await runExport(suite.emulator, { batchId, output: 'archive' });
		assert.equal(summary.items[0].json.tasks, 4);
	});

	it('without responses-by-submission.jsonl the Submissions and Rows outputs fail naming the file', async () => {
		const batchId = serveArchive(suite.emulator, await buildArchive(sampleBatch, { omit: ['responses-by-submission.jsonl'] }));
		for (const output of ['submissions', 'rows'] as const) {
			assert.deepEqual(failure(await runExport(suite.emulator, { batchId, output })), {
				status: 'error',
				message: 'The export archive has no responses-by-submission.jsonl',
				description: INCOMPLETE_HINT,
			});
		}
		succeeded(await runExport(suite.emulator, { batchId, output: 'tasks' }));
		// The Archive output hands over the ZIP as it is: it needs no records to do that.
		const archive = await runExport(suite.emulator, { batchId, output: 'archive' });
		succeeded(archive);
		assert.equal(archive.items[0].json.submissions, 0);
	});
});

describe('odd records', () => {
	const path = (n: number, ext = 'png') => `files/s3_i1_${n}.${ext}`;

	it('records without responses still give items; nameless files are named after their path', async () => {
		const archive = recordsArchive({
			submissions: [
				{ submission_id: 's1', participant_id: 'p1' },
				{ submission_id: 's2', participant_id: 'p2', responses: null },
				{
					submission_id: 's3',
					participant_id: 'p3',
					responses: {
						t1: {
							i1: {
								type: 'file_upload',
								description: 'Upload',
								files: [
									{ path: path(0) },
									{ name: '', path: path(1) },
									{ name: '  ', path: path(2) },
									{ name: 42, path: path(3) },
									{ name: 'no-path.png' }, // no path: nothing to attach
									'junk',
								],
							},
						},
					},
				},
			],
			tasks: [{ task_id: 't0' }, { task_id: 't1', responses: 'not a list' }],
			files: Object.fromEntries([0, 1, 2, 3].map((n) => [path(n), `file ${n}`])),
		});
		const run = await exportOf(archive);
		succeeded(run);
		assert.deepEqual(
			run.items.map((item) => [item.json.submission_id, item.json.files]),
			[
				['s1', []],
				['s2', []],
				[
					's3',
					[0, 1, 2, 3].map((n) => ({
						binary_property: `file_${n}`,
						task_id: 't1',
						instruction_id: 'i1',
						name: `s3_i1_${n}.png`,
						path: path(n),
						size: 6,
						status: 'attached',
					})),
				],
			],
		);
		assert.deepEqual(
			Object.values(run.items[2].binary).map((binary) => [binary.fileName, binary.bytes.toString()]),
			[0, 1, 2, 3].map((n) => [`s3_i1_${n}.png`, `file ${n}`]),
		);
		assert.deepEqual(run.items[0].json, { submission_id: 's1', participant_id: 'p1', files: [] });

		const rows = await exportOf(archive, { output: 'rows', includeFiles: false });
		succeeded(rows);
		assert.deepEqual(
			rows.items.map((item) => item.json),
			[
				{
					submission_id: 's3',
					participant_id: 'p3',
					task_id: 't1',
					created_at: '',
					Upload: 's3_i1_0.png, s3_i1_1.png, s3_i1_2.png, s3_i1_3.png',
				},
			],
		);
		const tasks = await exportOf(archive, { output: 'tasks' });
		succeeded(tasks);
		assert.deepEqual(
			tasks.items.map((item) => item.json.task_id),
			['t0', 't1'],
		);
	});

	it('participant file names become plain, safe file names; the records keep the originals', async () => {
		const names = [
			['../../etc/passwd', 'passwd'],
			['a\u0000b.png', 'a_b.png'],
			['..\\..\\boot.ini', 'boot.ini'],
			['C:\\Users\\ada\\photo.jpg', 'photo.jpg'],
			['..', 's_i_4.bin'],
			['\u001b[31mred\u007f.png', '_[31mred_.png'],
			['uploads/', 's_i_6.bin'],
			['we<ird>:na|me?.png', 'we_ird__na_me_.png'],
			['line\nbreak.txt', 'line_break.txt'],
			['nel\u0085csi\u009b.png', 'nel_csi_.png'],
			// No usable name: the entry's own name stands in, cleaned the same way.
			['', 's_i__11.bin', 'files/s_i_\u000711.bin'],
		];
		const files = names.map(([name, , path], n) => ({ name, path: path ?? `files/s_i_${n}.bin` }));
		const archive = recordsArchive({
			submissions: [{ submission_id: 's', responses: { t: { i: { type: 'file_upload', description: 'Upload', files } } } }],
			files: Object.fromEntries(files.map((file, n) => [file.path, `bytes ${n}`])),
		});
		const run = await exportOf(archive);
		succeeded(run);
		const [item] = run.items;
		assert.deepEqual(
			Object.values(item.binary).map((binary) => binary.fileName),
			names.map(([, safe]) => safe),
		);
		for (const binary of Object.values(item.binary)) {
			assert.doesNotMatch(String(binary.fileName), /[/\\\u0000-\u001f\u007f]/);
		}
		assert.deepEqual(
			(item.json.files as IDataObject[]).map((file) => file.name),
			files.map((file) => file.name || file.path.slice('files/'.length)),
		);
		assert.deepEqual(
			Object.values(item.binary).map((binary) => binary.bytes.toString()),
			names.map((_, n) => `bytes ${n}`),
		);
	});
});
