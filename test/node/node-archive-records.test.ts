import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import type { IDataObject } from 'n8n-workflow';

import { buildArchive, buildRawZip } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { BATCH_ID, PHOTO, RECEIPT, SUBMISSION, SUBMISSION_FILES, TASK, TOTAL_FILES } from '../fixtures/sample-expected';
import type { RunResult } from '../harness';
import { bytesOf, exportOf, sampleFile, succeeded, suite, useArchiveSuite } from '../support/archive-suite';
import { recordsArchive, serveArchive } from '../support/archives';
import { runExport } from '../support/setup';
import { JSONL_HINT } from '../support/hints';

/** Records as real exports hold them: unknown instruction types, messy JSON Lines, files missing or unreferenced. */

useArchiveSuite();

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
		const messyId = serveArchive(suite.emulator, messy);
		for (const output of ['submissions', 'tasks', 'rows'] as const) {
			const clean = await runExport(suite.emulator, { batchId: BATCH_ID, output });
			const run = await runExport(suite.emulator, { batchId: messyId, output });
			succeeded(run);
			assert.ok(run.items.length > 0);
			assert.deepEqual(comparable(run), comparable(clean), output);
		}
		const archive = await runExport(suite.emulator, { batchId: messyId, output: 'archive' });
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

	it('keeps a line whose bytes are not UTF-8, U+FFFD where they were, and names the file and line in a warning', async () => {
		const lines = sampleBatch.submissions.map((s) => JSON.stringify({ ...s, batch_id: BATCH_ID }));
		// Line 2 gains a Latin-1 'é' (one byte, 0xE9), line 3 a genuine U+FFFD, which is valid UTF-8.
		const latin1 = Buffer.concat([Buffer.from(`${lines[1].slice(0, -1)},"note":"caf`), Buffer.from([0xe9]), Buffer.from('"}')]);
		const genuine = Buffer.from(`${lines[2].slice(0, -1)},"note":"\uFFFD"}`);
		const text = Buffer.concat([lines[0], latin1, genuine, ...lines.slice(3)].map((line) => Buffer.concat([Buffer.from(line), Buffer.from('\n')])));
		const batchId = serveArchive(suite.emulator, await buildArchive(sampleBatch, { extraEntries: { 'responses-by-submission.jsonl': text } }));
		const clean = await runExport(suite.emulator, { batchId: BATCH_ID, includeFiles: false });
		for (const output of ['submissions', 'rows', 'summary'] as const) {
			const run = await runExport(suite.emulator, { batchId, output, includeFiles: false });
			succeeded(run);
			assert.deepEqual(run.hints, [
				{
					message: `Batch ${batchId}: bytes that are not valid UTF-8 were read as U+FFFD (\uFFFD), their records kept: line 2 of responses-by-submission.jsonl. The export may be damaged: check those records, or run the node again for a fresh export.`,
					type: 'warning',
					location: 'outputPane',
				},
			], output);
			if (output !== 'submissions') continue;
			assert.equal(run.items.length, 5);
			assert.deepEqual(run.items[1].json, { ...clean.items[1].json, note: 'caf\uFFFD' });
			assert.deepEqual(run.items[2].json, { ...clean.items[2].json, note: '\uFFFD' });
		}
	});

	it('keeps IDs written as JSON numbers beyond 2^53 exactly, as their digits', async () => {
		// Each pair differs only past 2^53: as numbers, both would round to one ID.
		const submission = (n: number) =>
			`{"submission_id":1234567890123456789${n},"participant_id":9876543210987654321${n},"batch_id":"b","created_at":"2026-03-19T09:0${n}:00Z",` +
			`"responses":{"9007199254740993":{"i1":{"type":"free_text","description":"Count","value":1234567890123456789${n}}}},"study_id":4${n}}`;
		const task = `{"task_id":9007199254740993,"responses":[{"submission_id":12345678901234567891,"participant_id":98765432109876543211,"i1":{"type":"free_text","value":"x"}}]}`;
		const archive = buildRawZip([
			{ name: 'responses-by-submission.jsonl', data: Buffer.from(`${submission(1)}\n${submission(2)}\n`) },
			{ name: 'responses-by-task.jsonl', data: Buffer.from(`${task}\n`) },
			{ name: 'batch.json', data: Buffer.from('{"batch_id":12345678901234567890,"name":"Big","instructions":[]}') },
		]);
		const batchId = serveArchive(suite.emulator, archive);
		const run = await runExport(suite.emulator, { batchId });
		succeeded(run);
		assert.deepEqual(
			run.items.map(({ json }) => [json.submission_id, json.participant_id, json.study_id]),
			[
				['12345678901234567891', '98765432109876543211', 41],
				['12345678901234567892', '98765432109876543212', 42],
			],
		);
		// Not an ID: a number stays a number, as JSON gives it.
		assert.equal((run.items[0].json.responses as Record<string, Record<string, IDataObject>>)['9007199254740993'].i1.value, 12345678901234567891);
		const summary = await runExport(suite.emulator, { batchId, output: 'summary' });
		assert.equal(summary.items[0].json.participants, 2);
		const tasks = await runExport(suite.emulator, { batchId, output: 'tasks' });
		assert.equal(tasks.items[0].json.task_id, '9007199254740993');
		assert.deepEqual((tasks.items[0].json.responses as IDataObject[])[0].submission_id, '12345678901234567891');
		const rows = await runExport(suite.emulator, { batchId, output: 'rows' });
		assert.deepEqual(rows.items.map(({ json }) => json.participant_id), ['98765432109876543211', '98765432109876543212']);
	});
});

describe('files missing from the archive, and files no response mentions', () => {
	const [, , , missingPath] = SUBMISSION_FILES[0][0];
	const strayName = `${SUBMISSION[1]}_${PHOTO}_9.png`;
	const strayBytes = Buffer.from('\x89PNG stray');

	it('a response whose file is missing still gives its item, described as missing, with a hint', async () => {
		const batchId = serveArchive(suite.emulator, await buildArchive(sampleBatch, { omit: [missingPath] }));
		const run = await runExport(suite.emulator, { batchId });
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
				message: `Batch ${batchId}: 1 response file(s) are missing from the archive (status 'missing'): ${missingPath} (submission ${SUBMISSION[0]}). See the 'files' field of the items.`,
				type: 'warning',
				location: 'outputPane',
			},
		]);

		const rows = await runExport(suite.emulator, { batchId, output: 'rows' });
		assert.equal(rows.items[0].json.files, 'IMG_2041.jpg (missing from archive); file_0: receipt.pdf');
		assert.equal(rows.items[0].json['Upload a photo of the item'], 'IMG_2041.jpg');
		assert.equal(rows.items.length, 20);
		const summary = await runExport(suite.emulator, { batchId, output: 'archive' });
		assert.equal(summary.items[0].json.missing_files, 1);
	});

	it('a file no response mentions goes to its submission’s item as unreferenced', async () => {
		const archive = await buildArchive(sampleBatch, { extraEntries: { [`files/${strayName}`]: strayBytes } });
		const batchId = serveArchive(suite.emulator, archive);
		const run = await runExport(suite.emulator, { batchId });
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
				message: `Batch ${batchId}: 1 file(s) in the archive are not referenced by any response (status 'unreferenced'): files/${strayName}. See the 'files' field of the items.`,
				type: 'warning',
				location: 'outputPane',
			},
		]);

		const rows = await runExport(suite.emulator, { batchId, output: 'rows' });
		assert.equal(rows.items[4].json.files, `file_0: photo.png; file_1: ${strayName} (unreferenced)`);
		assert.ok(rows.items[4].binary.file_1.bytes.equals(strayBytes));
		const summary = await runExport(suite.emulator, { batchId, output: 'archive' });
		assert.equal(summary.items[0].json.unreferenced_files, 1);
		assert.equal(summary.items[0].json.files, TOTAL_FILES + 1);
	});

	describe('references outside files/ and to another submission’s file', () => {
		const [[, , metaName, meta0], [, , recordsName, meta1]] = SUBMISSION_FILES[0];
		const [[, , foreignName, own0], [, , twinName, own1]] = SUBMISSION_FILES[1];
		const stray = `files/${SUBMISSION[2]}_${PHOTO}_9.png`;
		const theirs = SUBMISSION_FILES[2][2][3];
		const strayBytes = Buffer.from('not yours');
		/** Submission 0 points at batch.json and the records, submission 1 at two of submission 2's files. */
		const repointed: Record<string, string> = {
			[meta0]: 'batch.json',
			[meta1]: 'responses-by-submission.jsonl',
			[own0]: stray,
			[own1]: theirs,
		};
		let batchId: string;
		before(() => {
			const entries = suite.sampleEntries
				.filter(({ name }) => !(name in repointed))
				.map(({ name, data }) => {
					if (!name.endsWith('.jsonl')) return { name, data };
					let text = data.toString();
					for (const [from, to] of Object.entries(repointed)) text = text.replaceAll(`"path":"${from}"`, `"path":"${to}"`);
					return { name, data: Buffer.from(text) };
				});
			batchId = serveArchive(suite.emulator, buildRawZip([...entries, { name: stray, data: strayBytes }]));
		});
		const hint = (notAttached: string, foreign: string) =>
			`Batch ${batchId}: 2 response file(s) name a path outside files/, which holds the uploads, and were not attached (${notAttached}): ` +
			`batch.json (submission ${SUBMISSION[0]}), responses-by-submission.jsonl (submission ${SUBMISSION[0]}); ` +
			`${foreign}`;

		it('Submissions and Tasks: archive metadata is never attached (missing); the other submission’s files are, marked foreign', async () => {
			const run = await runExport(suite.emulator, { batchId });
			succeeded(run);
			const [first, second] = run.items;
			const files = (item: (typeof run.items)[number]) => item.json.files as IDataObject[];
			assert.deepEqual(files(first).slice(0, 2), [
				{ binary_property: null, task_id: TASK[0], instruction_id: PHOTO, name: metaName, path: 'batch.json', size: null, status: 'missing' },
				{ binary_property: null, task_id: TASK[0], instruction_id: RECEIPT, name: recordsName, path: 'responses-by-submission.jsonl', size: null, status: 'missing' },
			]);
			const meta = suite.sampleEntries.filter(({ name }) => !name.startsWith('files/')).map(({ data }) => data);
			for (const item of run.items) {
				for (const bytes of Object.values(bytesOf(item))) assert.ok(!meta.some((data) => data.equals(bytes)), 'archive metadata attached');
			}
			assert.deepEqual(files(second).slice(0, 2), [
				{ binary_property: 'file_0', task_id: TASK[0], instruction_id: PHOTO, name: foreignName, path: stray, size: strayBytes.length, status: 'foreign' },
				{ binary_property: 'file_1', task_id: TASK[1], instruction_id: PHOTO, name: twinName, path: theirs, size: sampleFile(theirs).length, status: 'foreign' },
			]);
			assert.ok(second.binary.file_0.bytes.equals(strayBytes));
			assert.ok(second.binary.file_1.bytes.equals(sampleFile(theirs)));
			assert.ok((files(run.items[2]).find((file) => file.path === theirs) ?? {}).status === 'attached', 'its own submission keeps it');
			const expected = hint(
				"status 'missing'",
				`2 response file(s) are named as another submission's upload, attached but marked (status 'foreign'): ${stray} (submission ${SUBMISSION[1]}), ${theirs} (submission ${SUBMISSION[1]}). See the 'files' field of the items.`,
			);
			assert.deepEqual(run.hints, [{ message: expected, type: 'warning', location: 'outputPane' }]);
			const tasks = await runExport(suite.emulator, { batchId, output: 'tasks' });
			assert.deepEqual(tasks.hints, run.hints);
			const archive = await runExport(suite.emulator, { batchId, output: 'archive' });
			assert.equal(archive.items[0].json.missing_files, 2);
		});

		it('Rows say which cell names no upload and which file is foreign', async () => {
			const rows = await runExport(suite.emulator, { batchId, output: 'rows' });
			succeeded(rows);
			assert.equal(rows.items[0].json.files, `${metaName} (not an upload); ${recordsName} (not an upload)`);
			assert.equal(rows.items[4].json.files, `file_0: ${foreignName} (foreign)`);
			assert.equal(rows.items[5].json.files, `file_0: ${twinName} (foreign)`);
		});

		it('Files: no item for archive metadata; a foreign file is marked, or goes to the submission it belongs to', async () => {
			const run = await runExport(suite.emulator, { batchId, output: 'files' });
			succeeded(run);
			assert.ok(!run.items.some((item) => !String(item.json.path).startsWith('files/')));
			const byPath = (path: string) => run.items.filter((item) => item.json.path === path).map(({ json }) => [json.submission_id, json.foreign]);
			assert.deepEqual(byPath(stray), [[SUBMISSION[1], true]]);
			assert.deepEqual(byPath(theirs), [[SUBMISSION[2], false]]);
			const expected = hint(
				'they have no item',
				`1 response file(s) are named as another submission's upload, attached but marked (foreign: true): ${stray} (submission ${SUBMISSION[1]}).`,
			);
			assert.deepEqual(run.hints, [{ message: expected, type: 'warning', location: 'outputPane' }]);
		});
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
