import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { Container } from '@n8n/di';
import { BinaryDataConfig, BinaryDataService } from 'n8n-core';

import type { ProlificEmulator } from '../emulator';
import { buildArchive } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { BATCH_ID, PARTICIPANT, PHOTO, RECEIPT, SUBMISSION, SUBMISSION_FILES, TOTAL_FILES } from '../fixtures/sample-expected';
import { serveArchive } from '../support/archives';
import { runExport, startEmulator } from '../support/setup';

let emulator: ProlificEmulator;
before(async () => {
	emulator = await startEmulator();
});
after(async () => await emulator.close());

const DESCRIPTION: Record<string, string> = {
	[PHOTO]: 'Upload a photo of the item',
	[RECEIPT]: 'Attach the receipt (optional)',
};
const CREATED = ['2026-03-19T08:12:03Z', '2026-03-19T10:47:55Z', '2026-03-19T13:05:41.517Z', '2026-03-19T16:30:00Z', '2026-03-19T21:58:17Z'];
const MIME: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', pdf: 'application/pdf' };

describe('Files output', () => {
	it('gives one item per uploaded file, bytes under `data`, with everything needed to route and name it', async () => {
		const run = await runExport(emulator, { batchId: BATCH_ID, output: 'files' });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, TOTAL_FILES);
		const expected = SUBMISSION_FILES.flatMap((files, s) =>
			files.map(([task, instruction, name, path]) => ({ s, task, instruction, name, path })),
		);
		// The default name is {submission_id}_{original_name}; repeats within the export get a number.
		const renamed: Record<string, string> = {
			[SUBMISSION_FILES[1][1][3]]: 'photo (2).png',
			[SUBMISSION_FILES[1][2][3]]: 'photo (3).png',
			[SUBMISSION_FILES[1][3][3]]: 'photo (4).png',
			[SUBMISSION_FILES[3][5][3]]: 'scan (2).pdf',
		};
		run.items.forEach((item, n) => {
			const { s, task, instruction, name, path } = expected[n];
			const bytes = sampleBatch.files[path];
			assert.deepEqual(item.json, {
				batch_id: BATCH_ID,
				batch_name: 'Product Image Annotation',
				submission_id: SUBMISSION[s],
				participant_id: PARTICIPANT[s],
				task_id: task,
				instruction_id: instruction,
				instruction: DESCRIPTION[instruction],
				original_name: name,
				file_name: `${SUBMISSION[s]}_${renamed[path] ?? name}`,
				path,
				size: bytes.length,
				mime_type: MIME[path.split('.').pop()!],
				created_at: CREATED[s],
				unreferenced: false,
				foreign: false,
			});
			assert.deepEqual(Object.keys(item.binary), ['data']);
			assert.ok(item.binary.data.bytes.equals(bytes), `bytes of ${path}`);
			assert.equal(item.binary.data.fileName, item.json.file_name);
			assert.deepEqual(item.pairedItem, { item: 0 });
		});
	});

	it('makes repeated names unique: four participants’ "photo.png" stay four files', async () => {
		const run = await runExport(emulator, {
			batchId: BATCH_ID,
			output: 'files',
			options: { fileName: '{original_name}' },
		});
		const names = run.items.map((item) => item.binary.data.fileName);
		assert.equal(new Set(names.map((name) => name?.toLowerCase())).size, TOTAL_FILES);
		assert.deepEqual(
			names.filter((name) => name?.startsWith('photo')),
			['photo.png', 'photo (2).png', 'photo (3).png', 'photo (4).png'],
		);
		assert.deepEqual(
			names.filter((name) => name?.startsWith('scan')),
			['scan.pdf', 'scan (2).pdf'],
		);
	});

	it('fills every placeholder, keeps unknown ones as typed, and uses the chosen binary property', async () => {
		const run = await runExport(emulator, {
			batchId: BATCH_ID,
			output: 'files',
			options: {
				binaryProperty: 'upload',
				fileName: '{participant_id}-{task_id}-{instruction_id}-{index}-{submission_id}-{nope}-{original_name}',
			},
		});
		const item = run.items.find((candidate) => candidate.json.original_name === 'IMG_0001.JPG')!;
		assert.deepEqual(Object.keys(item.binary), ['upload']);
		assert.equal(
			item.binary.upload.fileName,
			`${PARTICIPANT[2]}-${SUBMISSION_FILES[2][1][0]}-${PHOTO}-1-${SUBMISSION[2]}-{nope}-IMG_0001.JPG`,
		);
	});

	it('makes names safe for file systems', async () => {
		const run = await runExport(emulator, {
			batchId: BATCH_ID,
			output: 'files',
			options: { fileName: '../{submission_id}/\u0007{original_name}' },
		});
		for (const item of run.items) {
			assert.doesNotMatch(item.binary.data.fileName ?? '', /[/\\\u0000-\u001f]/);
		}
		assert.equal(run.items[0].binary.data.fileName, '_IMG_2041.jpg');
	});

	it('emits unreferenced files marked as such; missing files get no item but a warning', async () => {
		const missing = SUBMISSION_FILES[0][1][3];
		const stray = `files/${SUBMISSION[3]}_${PHOTO}_9.png`;
		const archive = await buildArchive(sampleBatch, { omit: [missing], extraEntries: { [stray]: Buffer.from('stray bytes') } });
		const batchId = serveArchive(emulator, archive);
		const run = await runExport(emulator, { batchId, output: 'files' });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, TOTAL_FILES);
		assert.ok(!run.items.some((item) => item.json.path === missing));
		const last = run.items.at(-1)!;
		assert.deepEqual(
			{ ...last.json, batch_id: undefined },
			{
				batch_id: undefined,
				batch_name: 'Product Image Annotation',
				submission_id: SUBMISSION[3],
				participant_id: PARTICIPANT[3],
				task_id: null,
				instruction_id: PHOTO,
				instruction: DESCRIPTION[PHOTO],
				original_name: `${SUBMISSION[3]}_${PHOTO}_9.png`,
				file_name: `${SUBMISSION[3]}_${SUBMISSION[3]}_${PHOTO}_9.png`,
				path: stray,
				size: 11,
				mime_type: 'image/png',
				created_at: CREATED[3],
				unreferenced: true,
				foreign: false,
			},
		);
		assert.equal(last.binary.data.bytes.toString(), 'stray bytes');
		assert.deepEqual(run.hints, [
			{
				message: `Batch ${batchId}: 1 response file(s) are missing from the archive (they have no item): ${missing} (submission ${SUBMISSION[0]}); 1 file(s) in the archive are not referenced by any response (marked unreferenced: true): ${stray}.`,
				type: 'warning',
				location: 'outputPane',
			},
		]);
	});
	it('names the first three missing files and their submissions, then how many more', async () => {
		const missing = SUBMISSION_FILES.flatMap((files, n) => files.map(([, , , path]) => [path, SUBMISSION[n]])).slice(0, 5);
		const archive = await buildArchive(sampleBatch, { omit: missing.map(([path]) => path) });
		const batchId = serveArchive(emulator, archive);
		const run = await runExport(emulator, { batchId, output: 'files' });
		assert.equal(run.status, 'success', run.error?.message);
		const named = missing.slice(0, 3).map(([path, submission]) => `${path} (submission ${submission})`);
		assert.deepEqual(run.hints, [
			{
				message: `Batch ${batchId}: 5 response file(s) are missing from the archive (they have no item): ${named.join(', ')}, and 2 more.`,
				type: 'warning',
				location: 'outputPane',
			},
		]);
	});
});

describe('many files of many sizes, several stored at once', () => {
	// A large one first, then some either side of 1 MiB, an empty one, tiny ones.
	const sizes = [3_000_000, 12, 1_048_576, 1_048_577, 700_000, 0, 2_500_000, 40_000];
	const paths = Object.keys(sampleBatch.files);
	const files = Object.fromEntries(paths.map((path, n) => [path, randomBytes(n === 0 ? 20 * 2 ** 20 : sizes[n % sizes.length])]));
	let batchId: string;
	before(async () => {
		batchId = serveArchive(emulator, await buildArchive({ ...sampleBatch, files }));
	});

	/** Runs `work` with n8n's binary data in another mode, as N8N_DEFAULT_BINARY_DATA_MODE would set it. */
	async function inBinaryMode(mode: BinaryDataConfig['mode'], work: () => Promise<void>): Promise<void> {
		const config = Container.get(BinaryDataConfig);
		const before = config.mode;
		config.mode = mode;
		await Container.get(BinaryDataService).init();
		try {
			await work();
		} finally {
			config.mode = before;
			await Container.get(BinaryDataService).init();
		}
	}

	for (const mode of ['filesystem', 'default'] as const) {
		it(`every file's bytes reach the right item, in order (n8n binary mode '${mode}')`, async () => {
			await inBinaryMode(mode, async () => {
				const perFile = await runExport(emulator, { batchId, output: 'files' });
				assert.equal(perFile.status, 'success', perFile.error?.message);
				assert.deepEqual(
					perFile.items.map((item) => item.json.path),
					SUBMISSION_FILES.flat().map(([, , , path]) => path),
				);
				for (const item of perFile.items) {
					// In memory ('default'), a binary travels as base64 with no store ID.
					assert.equal(item.binary.data.id === undefined, mode === 'default');
					assert.ok(item.binary.data.bytes.equals(files[String(item.json.path)]), `bytes of ${item.json.path}`);
				}
				const perSubmission = await runExport(emulator, { batchId, output: 'submissions' });
				assert.equal(perSubmission.status, 'success', perSubmission.error?.message);
				perSubmission.items.forEach((item, s) => {
					const described = item.json.files as Array<{ binary_property: string; path: string; size: number }>;
					assert.deepEqual(Object.keys(item.binary), described.map((file) => file.binary_property));
					for (const file of described) {
						assert.equal(file.size, files[file.path].length);
						assert.ok(item.binary[file.binary_property].bytes.equals(files[file.path]), `submission ${s}: ${file.path}`);
					}
				});
			});
		});
	}
});
