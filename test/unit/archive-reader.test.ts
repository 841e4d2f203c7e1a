import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

import { ArchiveError } from '../../nodes/ProlificBatchExport/archive/errors';
import { ExportArchive, type ArchiveLimits } from '../../nodes/ProlificBatchExport/archive/reader';
import { buildArchive, buildRawZip, mutateArchive } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { SUBMISSION_FILES, TOTAL_FILES } from '../fixtures/sample-expected';
import { entriesOf } from '../support/archives';
import { DAMAGED, REPEATED_HINT, RUN_AGAIN, SIZE_HINT, UNSAFE_HINT } from '../support/hints';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const DEFAULT_LIMITS: ArchiveLimits = { maxBytes: 2048 * MiB, maxFiles: 10_000 };
const SUBMISSIONS = 'responses-by-submission.jsonl';

/** Resolves to the ArchiveError the promise rejects with; fails the test on anything else. */
async function archiveError(promise: Promise<unknown>): Promise<ArchiveError> {
	const error = await promise.then(
		() => assert.fail('expected an ArchiveError'),
		(caught: unknown) => caught,
	);
	assert.ok(error instanceof ArchiveError, `not an ArchiveError: ${String(error)}`);
	return error;
}

const entry = (name: string, data: string | Buffer = 'x') => ({ name, data: Buffer.from(data) });
const SUBMISSION_LINE = entry(SUBMISSIONS, '{"submission_id":"s1","responses":{}}\n');

let sample: Buffer;
let sampleEntries: Map<string, Buffer>;
before(async () => {
	sample = await buildArchive(sampleBatch);
	sampleEntries = await entriesOf(sample);
});

describe('ExportArchive: opening', () => {
	it('lists the uploaded files and reads every entry of a clean export byte for byte', async () => {
		const archive = await ExportArchive.open(sample, DEFAULT_LIMITS);
		const expected = SUBMISSION_FILES.flat().map(([, , , path]) => path);
		assert.equal(archive.fileNames.length, TOTAL_FILES);
		assert.deepEqual([...archive.fileNames].sort(), [...expected].sort());
		for (const [name, bytes] of sampleEntries) assert.ok((await archive.readBytes(name)).equals(bytes), name);
	});

	for (const fraction of [0.1, 0.5, 0.9, 0.999]) {
		it(`refuses an archive cut at ${fraction * 100}% as unreadable and says to run again`, async () => {
			const error = await archiveError(ExportArchive.open(mutateArchive.truncate(sample, fraction), DEFAULT_LIMITS));
			assert.match(error.message, /^The export archive could not be read as a ZIP file \(.+\)$/);
			assert.equal(error.hint, RUN_AGAIN);
		});
	}

	it('refuses bytes that are not a ZIP at all', async () => {
		const error = await archiveError(ExportArchive.open(Buffer.from('<html>Gateway Timeout</html>'), DEFAULT_LIMITS));
		assert.match(error.message, /^The export archive could not be read as a ZIP file/);
	});

	for (const name of ['../evil.txt', '/abs.txt', 'files/../../x.png', 'C:/win.txt', 'files/a\u0000b.png']) {
		it(`refuses the unsafe entry name ${JSON.stringify(name)} before reading anything`, async () => {
			const zip = buildRawZip([SUBMISSION_LINE, entry('files/s1_i_0.png'), entry(name)]);
			const error = await archiveError(ExportArchive.open(zip, DEFAULT_LIMITS));
			assert.equal(error.message, `The export archive contains an unsafe entry name '${name}' (absolute or with '..')`);
			assert.equal(error.hint, UNSAFE_HINT);
		});
	}

	it('reports a backslash name in the form it would be extracted to', async () => {
		for (const [name, shown] of [
			['C:\\win.txt', 'C:/win.txt'],
			['files\\..\\..\\x.png', 'files/../../x.png'],
			['..\\evil.txt', '../evil.txt'],
		]) {
			const error = await archiveError(ExportArchive.open(buildRawZip([SUBMISSION_LINE, entry(name)]), DEFAULT_LIMITS));
			assert.equal(error.message, `The export archive contains an unsafe entry name '${shown}' (absolute or with '..')`);
		}
	});

	it("counts entries other than the documented top-level files against Max Files", async () => {
		const files = [0, 1, 2].map((n) => entry(`files/s1_i_${n}.png`));
		const topLevel = ['responses-by-task.jsonl', 'batch.json', 'README.md'].map((name) => entry(name, '{}'));
		const three = buildRawZip([SUBMISSION_LINE, ...topLevel, ...files]);
		assert.equal((await ExportArchive.open(three, { ...DEFAULT_LIMITS, maxFiles: 3 })).fileNames.length, 3);
		const error = await archiveError(ExportArchive.open(three, { ...DEFAULT_LIMITS, maxFiles: 2 }));
		assert.equal(error.message, 'The export archive holds more than 2 files');
		assert.equal(error.hint, "Raise the node's 'Max Files' option if this batch really has that many uploads.");
		// Stray entries outside files/ are files too: they cannot slip past the limit.
		const stray = buildRawZip([SUBMISSION_LINE, entry('notes.txt'), entry('more/notes.txt'), entry('x.bin')]);
		const strayError = await archiveError(ExportArchive.open(stray, { ...DEFAULT_LIMITS, maxFiles: 2 }));
		assert.equal(strayError.message, 'The export archive holds more than 2 files');
	});

	it('refuses an archive larger than the limit before unzipping it', async () => {
		const error = await archiveError(ExportArchive.open(sample, { ...DEFAULT_LIMITS, maxBytes: 10 * 1024 }));
		assert.equal(error.message, `The export archive is ${(sample.length / 1024).toFixed(0)} KiB, over the limit of 10 KiB`);
		assert.equal(error.hint, SIZE_HINT);
	});
});

describe('ExportArchive: read from its file by offset', () => {
	it('reads a clean export from a file byte for byte, as it reads one in memory', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'prolific-reader-'));
		const path = join(dir, 'export.zip');
		writeFileSync(path, sample);
		const archive = await ExportArchive.open(path, DEFAULT_LIMITS);
		try {
			assert.equal(archive.size, sample.length);
			for (const [name, bytes] of sampleEntries) assert.ok((await archive.readBytes(name)).equals(bytes), name);
		} finally {
			await archive.close();
			rmSync(dir, { recursive: true });
		}
	});

	describe('while it is still arriving', () => {
		/** The sample in a file, opened as if it were downloading: reads past `arrived` wait, the directory comes from `ahead`. */
		async function arriving(ahead: Buffer, until: (end: number) => Promise<void> = async () => undefined) {
			const dir = mkdtempSync(join(tmpdir(), 'prolific-reader-'));
			const path = join(dir, 'export.zip');
			writeFileSync(path, sample);
			const waited: number[] = [];
			const arrival = {
				size: sample.length,
				arrived: 0,
				until: async (end: number) => {
					waited.push(end);
					await until(end);
				},
				fetchAhead: async (start: number, end: number) => ahead.subarray(start, end),
			};
			const archive = await ExportArchive.open(path, DEFAULT_LIMITS, arrival);
			return { archive, arrival, waited, done: async () => (await archive.close(), rmSync(dir, { recursive: true })) };
		}

		it('reads the directory ahead, and each entry once its bytes are there', async () => {
			const { archive, waited, done } = await arriving(sample);
			try {
				assert.deepEqual(waited, [], 'the directory did not wait for the download');
				for (const [name, bytes] of sampleEntries) assert.ok((await archive.readBytes(name)).equals(bytes), name);
				assert.ok(waited.length >= sampleEntries.size && waited.every((end) => end <= sample.length));
				await archive.checkReadAhead();
			} finally {
				await done();
			}
		});

		it('refuses the archive when what was read ahead is not what arrived', async () => {
			const other = Buffer.from(sample);
			assert.ok(sample.length < 65_536, 'the tail read carries the whole sample');
			other[10] ^= 0xff; // the first entry's modification time: the directory still reads
			const { archive, arrival, done } = await arriving(other);
			try {
				await archive.checkReadAhead(); // not arrived yet: nothing to compare
				arrival.arrived = sample.length;
				const error = await archiveError(archive.checkReadAhead());
				assert.equal(error.message, 'The export archive changed while it downloaded: its directory, fetched first, differs from the one that arrived');
			} finally {
				await done();
			}
		});

		it("fails an entry's read with the download's own failure", async () => {
			const cut = new Error('the connection closed');
			const { archive, done } = await arriving(sample, async () => await Promise.reject(cut));
			try {
				await assert.rejects(archive.readBytes(SUBMISSIONS), cut);
			} finally {
				await done();
			}
		});
	});

	it("refuses an entry whose local header names another entry (a directory pointing at someone else's file)", async () => {
		const zip = buildRawZip([SUBMISSION_LINE, entry('files/s1_i_0.png', 'first'), entry('files/s1_i_1.png', 'second')]);
		const name = Buffer.from('files/s1_i_0.png');
		assert.ok(zip.indexOf(name) < zip.lastIndexOf(name), 'named in its local header, then in the directory');
		Buffer.from('files/s9_i_0.png').copy(zip, zip.indexOf(name));
		const archive = await ExportArchive.open(zip, DEFAULT_LIMITS);
		const error = await archiveError(archive.readBytes('files/s1_i_0.png'));
		assert.equal(error.message, "The export archive could not be read as a ZIP file (the local header of 'files/s1_i_0.png' names another entry)");
		assert.ok((await archive.readBytes('files/s1_i_1.png')).equals(Buffer.from('second')));
	});

	it('reads a ZIP64 archive (64-bit sizes and offsets, as tools write past 4 GiB)', async () => {
		const files = [entry('files/s1_i_0.png', Buffer.alloc(70_000, 3)), { ...entry('files/s1_i_1.png', 'stored'), compression: 'STORE' as const }];
		const archive = await ExportArchive.open(buildRawZip([SUBMISSION_LINE, ...files], { zip64: true }), DEFAULT_LIMITS);
		assert.deepEqual(archive.fileNames, ['files/s1_i_0.png', 'files/s1_i_1.png']);
		for (const file of files) assert.ok((await archive.readBytes(file.name)).equals(file.data), file.name);
		assert.equal(await archive.readText(SUBMISSIONS), SUBMISSION_LINE.data.toString());
	});

	it('refuses two entries of one name (once normalised), naming it: one would hide the other', async () => {
		const zip = buildRawZip([SUBMISSION_LINE, entry('files/s1_i_0.png', 'one'), entry('./files/s1_i_0.png', 'two')]);
		const error = await archiveError(ExportArchive.open(zip, DEFAULT_LIMITS));
		assert.equal(error.message, "The export archive is corrupt: it holds more than one entry named 'files/s1_i_0.png'");
		assert.equal(error.hint, REPEATED_HINT);
	});
});

describe('ExportArchive: limits are counted on inflated bytes', () => {
	it('refuses a small archive that would inflate past the limit', async () => {
		const zip = buildRawZip([SUBMISSION_LINE, entry('files/s1_i_0.bin', Buffer.alloc(MiB))]);
		assert.ok(zip.length < 8 * 1024, 'the archive itself is tiny');
		const error = await archiveError(ExportArchive.open(zip, { ...DEFAULT_LIMITS, maxBytes: 512 * 1024 }));
		assert.equal(error.message, 'The export archive inflates to more than 512 KiB');
		assert.equal(error.hint, SIZE_HINT);
	});

	it('refuses an entry declaring 3 GiB under the default 2 GiB limit (sizes past 2 GiB are unsigned)', async () => {
		const zip = buildRawZip([SUBMISSION_LINE, { name: 'files/s1_i_0.bin', data: Buffer.alloc(10), declaredSize: 3 * GiB }]);
		const error = await archiveError(ExportArchive.open(zip, DEFAULT_LIMITS));
		assert.equal(error.message, 'The export archive inflates to more than 2.0 GiB');
		assert.equal(error.hint, SIZE_HINT);
	});

	it('stops an entry as corrupt the moment it inflates past the size it declares', async () => {
		const zip = buildRawZip([
			SUBMISSION_LINE,
			{ name: 'files/s1_i_0.bin', data: Buffer.alloc(64 * MiB, 7), declaredSize: 1000 },
		]);
		const archive = await ExportArchive.open(zip, DEFAULT_LIMITS);
		const rss = process.memoryUsage().rss;
		const started = performance.now();
		const error = await archiveError(archive.readBytes('files/s1_i_0.bin'));
		assert.ok(performance.now() - started < 500, 'stopped at the first chunk, not after 64 MiB');
		assert.ok(process.memoryUsage().rss - rss < 32 * MiB, 'never held the inflated data');
		assert.equal(
			error.message,
			"The export archive is corrupt: 'files/s1_i_0.bin' cannot be read (it inflates to more than the 1000 bytes it declares)",
		);
		assert.equal(error.hint, DAMAGED);
		// The honest entries are still there.
		assert.equal(await archive.readText(SUBMISSIONS), SUBMISSION_LINE.data.toString());
	});

	it('refuses an entry that inflates to less than it declares', async () => {
		const zip = buildRawZip([SUBMISSION_LINE, { name: 'files/s1_i_0.bin', data: Buffer.alloc(100), declaredSize: 200 }]);
		const archive = await ExportArchive.open(zip, DEFAULT_LIMITS);
		const error = await archiveError(archive.readBytes('files/s1_i_0.bin'));
		assert.equal(
			error.message,
			"The export archive is corrupt: 'files/s1_i_0.bin' cannot be read (it inflated to 100 bytes but declares 200)",
		);
	});

	it('counts every read against the limit, so reading the same entry again cannot dodge it', async () => {
		const file = 'files/s1_i_0.bin';
		const zip = buildRawZip([entry(file, Buffer.alloc(40 * 1024, 1))]);
		const archive = await ExportArchive.open(zip, { ...DEFAULT_LIMITS, maxBytes: 100 * 1024 });
		assert.equal((await archive.readBytes(file)).length, 40 * 1024);
		assert.equal((await archive.readBytes(file)).length, 40 * 1024);
		const error = await archiveError(archive.readBytes(file));
		assert.equal(error.message, "The export archive inflates to more than 100 KiB (stopped at 'files/s1_i_0.bin')");
		assert.equal(error.hint, SIZE_HINT);
	});

	it('names the damaged entry of an archive whose data is corrupt but whose headers are intact', async () => {
		const archive = await ExportArchive.open(mutateArchive.corrupt(sample), DEFAULT_LIMITS);
		const error = await archiveError(archive.readText(SUBMISSIONS));
		assert.equal(
			error.message,
			`The export archive is corrupt: '${SUBMISSIONS}' cannot be read (its compressed data is damaged: invalid block type)`,
		);
		assert.equal(error.hint, DAMAGED);
		assert.equal(await archive.readText('batch.json'), sampleEntries.get('batch.json')!.toString());
	});

	it('refuses bytes that changed without breaking the archive: a stored entry against its checksum', async () => {
		// Stored (uncompressed) entries have no DEFLATE structure to break: only the CRC-32 tells.
		const submissions = sampleEntries.get(SUBMISSIONS)!;
		const zip = buildRawZip([
			{ name: SUBMISSIONS, data: submissions, compression: 'STORE' },
			{ name: 'batch.json', data: sampleEntries.get('batch.json')! },
		]);
		assert.ok((await (await ExportArchive.open(zip, DEFAULT_LIMITS)).readBytes(SUBMISSIONS)).equals(submissions));
		const archive = await ExportArchive.open(mutateArchive.corrupt(zip), DEFAULT_LIMITS);
		const error = await archiveError(archive.readText(SUBMISSIONS));
		assert.equal(
			error.message,
			`The export archive is corrupt: '${SUBMISSIONS}' cannot be read (its bytes do not match the checksum the archive records for them)`,
		);
		assert.equal(error.hint, DAMAGED);
		assert.equal(await archive.readText('batch.json'), sampleEntries.get('batch.json')!.toString());
	});
});

describe('ExportArchive: entries', () => {
	it('lists only entries under files/, normalised, and finds them by any spelling', async () => {
		const zip = buildRawZip([
			SUBMISSION_LINE,
			entry('./files/a_b_0.png', 'A'),
			entry('files\\c_d_0.png', 'C'),
			entry('files/'), // a directory entry, as some zip tools add
			entry('README.md', '# hi'),
			entry('notes/files/x.png'),
		]);
		const archive = await ExportArchive.open(zip, DEFAULT_LIMITS);
		assert.deepEqual(archive.fileNames, ['files/a_b_0.png', 'files/c_d_0.png']);
		for (const name of ['files/a_b_0.png', './files/a_b_0.png', 'files\\a_b_0.png', '././files/a_b_0.png']) {
			assert.equal(archive.has(name), true, name);
			assert.equal((await archive.readBytes(name)).toString(), 'A');
		}
		assert.equal((await archive.readBytes('./files\\c_d_0.png')).toString(), 'C');
		assert.equal(archive.has('files/nope.png'), false);
		const error = await archiveError(archive.readBytes('./files/nope.png'));
		assert.equal(error.message, "The export archive has no entry 'files/nope.png'");
	});

	it('reads text without its byte order mark, and absent entries as undefined', async () => {
		const zip = buildRawZip([entry(SUBMISSIONS, '\uFEFF{"submission_id":"s1"}\r\n'), entry('README.md', 'no mark')]);
		const archive = await ExportArchive.open(zip, DEFAULT_LIMITS);
		assert.equal(await archive.readText(SUBMISSIONS), '{"submission_id":"s1"}\r\n');
		assert.equal(await archive.readText('README.md'), 'no mark');
		assert.deepEqual(await archive.readJsonl(SUBMISSIONS), [{ submission_id: 's1' }]);
		assert.equal(await archive.readText('responses-by-task.jsonl'), undefined);
		assert.equal(await archive.readJsonl('responses-by-task.jsonl'), undefined);
	});

	it('reads batch.json, and stands in for a missing or odd one', async () => {
		const read = async (batch?: string) => {
			const zip = buildRawZip(batch === undefined ? [SUBMISSION_LINE] : [entry('batch.json', batch)]);
			return await (await ExportArchive.open(zip, DEFAULT_LIMITS)).readBatch();
		};
		const instructions = [{ id: 'i1', type: 'free_text', description: 'Say' }];
		const pretty = `\uFEFF${JSON.stringify({ name: 'B', instructions }, null, 2)}\r\n`;
		assert.deepEqual(await read(pretty), { name: 'B', instructions });
		assert.deepEqual(await read(), { instructions: [] });
		assert.deepEqual(await read('{"name":"B","instructions":{"i1":{}}}'), { name: 'B', instructions: [] });
		const empty = await archiveError(read('\n'));
		assert.equal(empty.message, 'The export archive is malformed: batch.json is not valid JSON (the file is empty)');
		const broken = await archiveError(read('{"name": "B",'));
		assert.match(broken.message, /^The export archive is malformed: batch\.json is not valid JSON \(.+\)$/);
	});

	it("treats entries named '__proto__' as plain entries", async () => {
		const zip = buildRawZip([
			SUBMISSION_LINE,
			entry('__proto__', 'top'),
			entry('files/__proto__', 'file'),
			entry('constructor', 'c'),
		]);
		const archive = await ExportArchive.open(zip, DEFAULT_LIMITS);
		assert.deepEqual(archive.fileNames, ['files/__proto__']);
		assert.equal(archive.has('__proto__'), true);
		assert.equal(archive.has('toString'), false);
		assert.equal(await archive.readText('__proto__'), 'top');
		assert.equal(await archive.readText('files/__proto__'), 'file');
		assert.equal(await archive.readText('constructor'), 'c');
		assert.equal(await archive.readText('hasOwnProperty'), undefined);
	});
});
