import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import type { IDataObject } from 'n8n-workflow';

import type { ProlificEmulator, RawZipEntry } from './emulator';
import { buildArchive, buildRawZip, inflateBomb, mutateArchive } from './emulator';
import { sampleBatch } from './fixtures/sample-batch';
import {
	BATCH_ID,
	COLUMNS,
	PHOTO,
	ROWS,
	SUBMISSION,
	SUBMISSION_FILES,
	TASK,
	TOTAL_FILES,
} from './fixtures/sample-expected';
import type { HarnessItem, RunResult } from './harness';
import { harnessDir } from './harness/env';
import { failure, rawEntriesOf, recordsArchive, serveArchive, withDeclaredSize } from './support/archives';
import { runExport, startEmulator, type ExportRun } from './support/setup';
import { DAMAGED, JSONL_HINT, RUN_AGAIN, SIZE_HINT, UNSAFE_HINT } from './support/hints';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const INCOMPLETE_HINT =
	'The archive is incomplete. Run the node again for a fresh export, or choose the Archive output to inspect it.';

let emulator: ProlificEmulator;
let sample: Buffer;
let sampleEntries: RawZipEntry[];
before(async () => {
	emulator = await startEmulator();
	sample = await buildArchive(sampleBatch);
	sampleEntries = await rawEntriesOf(sample);
});
after(async () => await emulator.close());

/** Serves `archive` as a fresh batch and runs the node on it. */
async function exportOf(archive: Buffer, run: ExportRun = {}): Promise<RunResult> {
	return await runExport(emulator, { ...run, batchId: serveArchive(emulator, archive) });
}

function succeeded(run: RunResult): void {
	assert.equal(run.status, 'success', run.error?.message);
}

/** Every file under the harness's n8n folder (the binary data store lives there). */
function storedFiles(): string[] {
	return readdirSync(harnessDir(), { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => `${entry.parentPath}/${entry.name}`);
}

const bytesOf = (item: HarnessItem) =>
	Object.fromEntries(Object.entries(item.binary).map(([key, binary]) => [key, binary.bytes]));
const sampleFile = (path: string) => sampleBatch.files[path];

describe('damaged downloads', () => {
	for (const fraction of [0.2, 0.6, 0.95]) {
		it(`fails a run on an archive cut at ${fraction * 100}%: unreadable, run again`, async () => {
			const run = await exportOf(mutateArchive.truncate(sample, fraction));
			assert.equal(run.status, 'error');
			assert.match(String(run.error?.message), /^The export archive could not be read as a ZIP file \(.+\)$/);
			assert.equal(run.error?.description, RUN_AGAIN);
			assert.deepEqual(run.items, []);
		});
	}

	it('under Continue On Fail gives one error item for the broken batch and the next batch its items', async () => {
		const broken = serveArchive(emulator, mutateArchive.truncate(sample, 0.5));
		const run = await runExport(emulator, {
			parameters: { batch: { __rl: true, mode: 'id', value: '={{ $json.batch }}' } },
			inputItems: [{ json: { batch: broken } }, { json: { batch: BATCH_ID } }],
			includeFiles: false,
			run: { continueOnFail: true },
		});
		succeeded(run);
		assert.equal(run.items.length, 1 + SUBMISSION.length);
		const [error, ...good] = run.items;
		assert.deepEqual(Object.keys(error.json), ['error', 'description']);
		assert.match(String(error.json.error), /^The export archive could not be read as a ZIP file \(.+\)$/);
		assert.equal(error.json.description, RUN_AGAIN);
		assert.deepEqual(error.pairedItem, { item: 0 });
		assert.deepEqual(error.binary, {});
		assert.deepEqual(
			good.map((item) => [item.json.submission_id, item.pairedItem]),
			SUBMISSION.map((id) => [id, { item: 1 }]),
		);
	});

	it('fails naming the entry whose data is corrupt, and says to run again', async () => {
		const corrupt = mutateArchive.corrupt(sample);
		const message =
			"The export archive is corrupt: 'responses-by-submission.jsonl' cannot be read (its compressed data is damaged: invalid block type)";
		for (const output of ['submissions', 'rows', 'archive'] as const) {
			const run = await exportOf(corrupt, { output });
			assert.equal(run.status, 'error', output);
			assert.equal(run.error?.message, message, output);
			assert.equal(run.error?.description, DAMAGED);
		}
		// Only responses-by-submission.jsonl is damaged: the Tasks output does not need it.
		const tasks = await exportOf(corrupt, { output: 'tasks' });
		succeeded(tasks);
		assert.deepEqual(
			tasks.items.map((item) => item.json.task_id),
			TASK,
		);
	});
});

describe('hostile archives', () => {
	for (const name of ['../evil.txt', '/abs.txt', 'files/../../x.png', 'C:/win.txt']) {
		it(`refuses the entry ${JSON.stringify(name)} and extracts nothing`, async () => {
			const archive = buildRawZip([...sampleEntries, { name, data: Buffer.from('pwned') }]);
			const stored = storedFiles();
			for (const output of ['submissions', 'archive'] as const) {
				const run = await exportOf(archive, { output });
				assert.deepEqual(failure(run), {
					status: 'error',
					message: `The export archive contains an unsafe entry name '${name}' (absolute or with '..')`,
					description: UNSAFE_HINT,
				});
				assert.deepEqual(run.items, []);
			}
			assert.deepEqual(storedFiles(), stored, 'no file reached the binary data store');
		});
	}

	describe('inflate bombs', () => {
		let bomb: Buffer;
		before(async () => {
			// 3 GiB of zeros behind a complete, valid export: about 3 MiB on the wire.
			bomb = await inflateBomb(3 * GiB, { entries: sampleEntries });
		});

		/** Runs the node on `archive`; asserts it was quick and stayed small. */
		async function boundedExport(archive: Buffer): Promise<RunResult> {
			const rss = process.memoryUsage().rss;
			const started = performance.now();
			const run = await exportOf(archive);
			const seconds = (performance.now() - started) / 1000;
			const grownMb = (process.memoryUsage().rss - rss) / MiB;
			assert.ok(seconds < 2, `took ${seconds.toFixed(2)} s`);
			assert.ok(grownMb < 200, `rss grew by ${grownMb.toFixed(0)} MB`);
			return run;
		}

		it('rejects a 3 GiB bomb at once, naming the limit and the Max Archive Size option', async () => {
			assert.ok(bomb.length < 4 * MiB);
			const run = await boundedExport(bomb);
			assert.deepEqual(failure(run), {
				status: 'error',
				message: 'The export archive inflates to more than 2.0 GiB',
				description: SIZE_HINT,
			});
		});

		it('stops a bomb that declares 1000 bytes as corrupt as soon as it passes them', async () => {
			const run = await boundedExport(withDeclaredSize(bomb, 'files/bomb_0.bin', 1000));
			assert.deepEqual(failure(run), {
				status: 'error',
				message: "The export archive is corrupt: 'files/bomb_0.bin' cannot be read (it inflates to more than the 1000 bytes it declares)",
				description: DAMAGED,
			});
		});
	});

	it('refuses an archive over a small Max Archive Size, naming the option', async () => {
		const run = await runExport(emulator, { batchId: BATCH_ID, options: { maxArchiveSizeMb: 0.01 } });
		assert.equal(run.status, 'error');
		assert.match(String(run.error?.message), /^The export archive is .+ over the limit of 10 KiB$/);
		assert.equal(run.error?.description, SIZE_HINT);
	});

	it('refuses an archive that downloads within Max Archive Size but inflates past it', async () => {
		assert.ok(sample.length < 20 * 1024);
		const run = await runExport(emulator, { batchId: BATCH_ID, options: { maxArchiveSizeMb: 0.02 } });
		assert.deepEqual(failure(run), {
			status: 'error',
			message: 'The export archive inflates to more than 20 KiB',
			description: SIZE_HINT,
		});
	});

	it('refuses more uploads than Max Files, naming the option; exactly that many pass', async () => {
		const run = await runExport(emulator, { batchId: BATCH_ID, options: { maxFiles: 3 } });
		assert.deepEqual(failure(run), {
			status: 'error',
			message: 'The export archive holds more than 3 files',
			description: "Raise the node's 'Max Files' option if this batch really has that many uploads.",
		});
		succeeded(await runExport(emulator, { batchId: BATCH_ID, options: { maxFiles: TOTAL_FILES } }));
	});
});

describe('instruction types and fields the node does not know', () => {
	const SUB = '67dc00000000000000000a01';
	const TASK_ID = '4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a01';
	const id = (n: number) => `0195d0e1-0000-7000-8000-0000000000${String(n).padStart(2, '0')}`;
	const clip = `files/${SUB}_${id(3)}_0.webm`;
	const clipBytes = Buffer.from('\x1aE\xdf\xa3 webm bytes');
	const answers: Record<string, IDataObject> = {
		[id(1)]: { type: 'free_text', description: 'Say something', value: 'hi', edited_at: '2026-03-19T09:01:00Z' },
		[id(2)]: { type: 'star_rating', description: 'Rate it', value: 4, max: 5 },
		[id(3)]: {
			type: 'video_narration',
			description: 'Narrate the clip',
			files: [{ name: 'clip.webm', path: clip }],
			transcript: 'It is red',
			duration_s: 12.5,
		},
		[id(4)]: { type: 'likert_matrix', description: 'Agree?', rows: ['clear', 'useful'], answers: { clear: 5, useful: 4 } },
		[id(5)]: { type: 'range_slider', description: 'Range', value: { min: 1, max: 3 }, unit: 'kg' },
		[id(6)]: { type: 'rank_order', description: 'Rank', ranking: ['b', 'a'] },
		[id(7)]: { type: 'consent_check', description: 'Consent' },
		[id(8)]: { type: 'yes_no', description: 'OK?', value: false },
		[id(9)]: {
			type: 'pick_and_explain',
			description: 'Why',
			values: [{ option: 'A', explanation: 'because' }, { option: 'B' }, 'C'],
		},
	};
	const submission = {
		submission_id: SUB,
		participant_id: '5f8e7d6c5b4a3928170600c1',
		batch_id: 'b',
		created_at: '2026-03-19T09:00:00Z',
		study_id: 'st-1',
		review: { state: 'APPROVED', by: ['r1'] },
		responses: { [TASK_ID]: answers },
	};
	const task = {
		task_id: TASK_ID,
		batch_id: 'b',
		priority: 'high',
		responses: [
			{
				submission_id: SUB,
				participant_id: submission.participant_id,
				created_at: submission.created_at,
				device: 'mobile',
				...answers,
			},
		],
	};
	const batch = {
		name: 'New types',
		instructions: Object.entries(answers).map(([instruction, answer]) => ({
			id: instruction,
			type: answer.type,
			description: answer.description,
			scale: answer.type === 'star_rating' ? 5 : undefined,
		})),
	};
	const archive = recordsArchive({ submissions: [submission], tasks: [task], batch, files: { [clip]: clipBytes } });
	const clipFile = {
		binary_property: 'file_0',
		task_id: TASK_ID,
		instruction_id: id(3),
		name: 'clip.webm',
		path: clip,
		size: clipBytes.length,
	};

	it('Submissions: the record comes out unchanged, files of unknown types attached', async () => {
		const run = await exportOf(archive);
		succeeded(run);
		assert.equal(run.items.length, 1);
		assert.deepEqual(run.items[0].json, { ...submission, files: [{ ...clipFile, status: 'attached' }] });
		assert.deepEqual(bytesOf(run.items[0]), { file_0: clipBytes });
		assert.equal(run.items[0].binary.file_0.fileName, 'clip.webm');
		assert.deepEqual(run.hints, []);
	});

	it('Tasks: the record comes out unchanged, files of unknown types attached', async () => {
		const run = await exportOf(archive, { output: 'tasks' });
		succeeded(run);
		assert.deepEqual(
			run.items.map((item) => item.json),
			[{ ...task, files: [{ ...clipFile, status: 'attached' }] }],
		);
		assert.deepEqual(bytesOf(run.items[0]), { file_0: clipBytes });
	});

	it('Rows: each unknown type gets a readable cell', async () => {
		const run = await exportOf(archive, { output: 'rows' });
		succeeded(run);
		assert.deepEqual(
			run.items.map((item) => item.json),
			[
				{
					submission_id: SUB,
					participant_id: submission.participant_id,
					task_id: TASK_ID,
					created_at: '2026-03-19T09:00:00Z',
					'Say something': 'hi',
					'Rate it': 4,
					'Narrate the clip': 'clip.webm',
					'Agree?': '{"rows":["clear","useful"],"answers":{"clear":5,"useful":4}}',
					Range: '{"min":1,"max":3} kg',
					Rank: 'b, a',
					Consent: '',
					'OK?': false,
					Why: 'A: because; B; C',
					files: 'file_0: clip.webm',
				},
			],
		);
	});
});

describe('messy JSON Lines', () => {
	const comparable = (run: RunResult) => run.items.map((item) => ({ json: item.json, bytes: bytesOf(item) }));

	it('CRLF, a byte order mark and trailing blank lines give the same items as the clean export', async () => {
		const messy = await buildArchive(sampleBatch, { crlf: true, bom: true, trailingBlankLines: 3 });
		const messyId = serveArchive(emulator, messy);
		for (const output of ['submissions', 'tasks', 'rows'] as const) {
			const clean = await runExport(emulator, { batchId: BATCH_ID, output });
			const run = await runExport(emulator, { batchId: messyId, output });
			succeeded(run);
			assert.ok(run.items.length > 0);
			assert.deepEqual(comparable(run), comparable(clean), output);
		}
		const archive = await runExport(emulator, { batchId: messyId, output: 'archive' });
		assert.equal(archive.items[0].json.batch_name, 'Product Image Annotation', 'batch.json read despite BOM and CRLF');
	});

	it('a malformed line fails the run naming the file and the line number', async () => {
		const [first, second, third] = sampleBatch.submissions.map((s) => JSON.stringify({ ...s, batch_id: BATCH_ID }));
		const broken = `${first}\r\n${second}\r\n${third.slice(0, 80)}\r\n${first}\r\n`;
		const archive = await buildArchive(sampleBatch, { extraEntries: { 'responses-by-submission.jsonl': broken } });
		const run = await exportOf(archive);
		assert.equal(run.status, 'error');
		assert.match(
			String(run.error?.message),
			/^The export archive is malformed: line 3 of responses-by-submission\.jsonl is not valid JSON \(.+\)$/,
		);
		assert.equal(run.error?.description, JSONL_HINT);
	});
});

describe('files missing from the archive, and files no response mentions', () => {
	const [, , , missingPath] = SUBMISSION_FILES[0][0];
	const strayName = `${SUBMISSION[1]}_${PHOTO}_9.png`;
	const strayBytes = Buffer.from('\x89PNG stray');

	it('a response whose file is missing still gives its item, described as missing, with a hint', async () => {
		const batchId = serveArchive(emulator, await buildArchive(sampleBatch, { omit: [missingPath] }));
		const run = await runExport(emulator, { batchId });
		succeeded(run);
		assert.equal(run.items.length, 5);
		const [first, second] = run.items;
		assert.deepEqual(first.json.files, [
			{
				binary_property: null,
				task_id: TASK[0],
				instruction_id: PHOTO,
				name: 'IMG_2041.jpg',
				path: missingPath,
				size: null,
				status: 'missing',
			},
			...SUBMISSION_FILES[0].slice(1).map(([task, instruction, name, path], n) => ({
				binary_property: `file_${n}`,
				task_id: task,
				instruction_id: instruction,
				name,
				path,
				size: sampleFile(path).length,
				status: 'attached',
			})),
		]);
		assert.deepEqual(
			bytesOf(first),
			Object.fromEntries(SUBMISSION_FILES[0].slice(1).map(([, , , path], n) => [`file_${n}`, sampleFile(path)])),
		);
		assert.equal(first.binary.file_0.fileName, 'receipt.pdf');
		assert.deepEqual(Object.keys(second.binary), ['file_0', 'file_1', 'file_2', 'file_3']);
		assert.deepEqual(run.hints, [
			{
				message: `Batch ${batchId}: 1 response file(s) are missing from the archive (status 'missing'). See the 'files' field of the items.`,
				type: 'warning',
				location: 'outputPane',
			},
		]);

		const rows = await runExport(emulator, { batchId, output: 'rows' });
		assert.equal(rows.items[0].json.files, 'IMG_2041.jpg (missing from archive); file_0: receipt.pdf');
		assert.equal(rows.items[0].json['Upload a photo of the item'], 'IMG_2041.jpg');
		assert.equal(rows.items.length, 20);
		const summary = await runExport(emulator, { batchId, output: 'archive' });
		assert.equal(summary.items[0].json.missing_files, 1);
	});

	it('a file no response mentions goes to its submission’s item as unreferenced', async () => {
		const archive = await buildArchive(sampleBatch, { extraEntries: { [`files/${strayName}`]: strayBytes } });
		const batchId = serveArchive(emulator, archive);
		const run = await runExport(emulator, { batchId });
		succeeded(run);
		const second = run.items[1];
		assert.deepEqual((second.json.files as IDataObject[]).at(-1), {
			binary_property: 'file_4',
			task_id: null,
			instruction_id: PHOTO,
			name: strayName,
			path: `files/${strayName}`,
			size: strayBytes.length,
			status: 'unreferenced',
		});
		assert.ok(second.binary.file_4.bytes.equals(strayBytes));
		assert.equal(second.binary.file_4.fileName, strayName);
		for (const item of [run.items[0], ...run.items.slice(2)]) {
			assert.ok((item.json.files as IDataObject[]).every((file) => file.status === 'attached'));
		}
		assert.deepEqual(run.hints, [
			{
				message: `Batch ${batchId}: 1 file(s) in the archive are not referenced by any response (status 'unreferenced'). See the 'files' field of the items.`,
				type: 'warning',
				location: 'outputPane',
			},
		]);

		const rows = await runExport(emulator, { batchId, output: 'rows' });
		assert.equal(rows.items[4].json.files, `file_0: photo.png; file_1: ${strayName} (unreferenced)`);
		assert.ok(rows.items[4].binary.file_1.bytes.equals(strayBytes));
		const summary = await runExport(emulator, { batchId, output: 'archive' });
		assert.equal(summary.items[0].json.unreferenced_files, 1);
		assert.equal(summary.items[0].json.files, TOTAL_FILES + 1);
	});

	it('a file that names no known submission goes to the first item', async () => {
		const archive = await buildArchive(sampleBatch, { extraEntries: { 'files/notes.txt': 'stray' } });
		const run = await exportOf(archive);
		succeeded(run);
		assert.deepEqual((run.items[0].json.files as IDataObject[]).at(-1), {
			binary_property: `file_${SUBMISSION_FILES[0].length}`,
			task_id: null,
			instruction_id: null,
			name: 'notes.txt',
			path: 'files/notes.txt',
			size: 5,
			status: 'unreferenced',
		});
	});
});

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
		const batchId = serveArchive(emulator, await buildArchive(sampleBatch, { omit: ['batch.json'] }));
		const clean = await runExport(emulator, { batchId: BATCH_ID, includeFiles: false });
		const submissions = await runExport(emulator, { batchId, includeFiles: false });
		succeeded(submissions);
		assert.deepEqual(
			submissions.items.map((item) => item.json),
			clean.items.map((item) => item.json),
		);
		const rows = await runExport(emulator, { batchId, output: 'rows' });
		succeeded(rows);
		assert.equal(rows.items.length, 20);
		for (const item of rows.items) assert.deepEqual(Object.keys(item.json), COLUMNS);
		for (const [s, t, row] of ROWS) assert.deepEqual(rows.items[s * 4 + t].json, row);
		const summary = await runExport(emulator, { batchId, output: 'archive' });
		assert.equal(summary.items[0].json.batch_name, null);
		assert.equal(summary.items[0].json.exported_at, null);
	});

	it('without responses-by-task.jsonl the Tasks output fails naming the file; Submissions still work', async () => {
		const batchId = serveArchive(emulator, await buildArchive(sampleBatch, { omit: ['responses-by-task.jsonl'] }));
		assert.deepEqual(failure(await runExport(emulator, { batchId, output: 'tasks' })), {
			status: 'error',
			message: 'The export archive has no responses-by-task.jsonl',
			description: INCOMPLETE_HINT,
		});
		const submissions = await runExport(emulator, { batchId });
		succeeded(submissions);
		assert.equal(submissions.items.length, 5);
		// The Archive output counts the tasks with responses, as Summary does: from the submissions.
		const summary = await runExport(emulator, { batchId, output: 'archive' });
		assert.equal(summary.items[0].json.tasks, 4);
	});

	it('without responses-by-submission.jsonl the Submissions and Rows outputs fail naming the file', async () => {
		const batchId = serveArchive(emulator, await buildArchive(sampleBatch, { omit: ['responses-by-submission.jsonl'] }));
		for (const output of ['submissions', 'rows'] as const) {
			assert.deepEqual(failure(await runExport(emulator, { batchId, output })), {
				status: 'error',
				message: 'The export archive has no responses-by-submission.jsonl',
				description: INCOMPLETE_HINT,
			});
		}
		succeeded(await runExport(emulator, { batchId, output: 'tasks' }));
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
