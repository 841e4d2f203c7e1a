import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { ArchiveError } from '../../nodes/ProlificBatchExport/archive/errors';
import { ExportArchive } from '../../nodes/ProlificBatchExport/archive/reader';
import type { ProlificEmulator, RawZipEntry } from '../emulator';
import { buildArchive, buildRawZip } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { BATCH_ID, PHOTO, SUBMISSION } from '../fixtures/sample-expected';
import { harnessDir } from '../harness/env';
import { failure, rawEntriesOf, serveArchive } from '../support/archives';
import { downloads, EXPORT_PATH } from '../support/requests';
import { runExport, startEmulator } from '../support/setup';
import { SIZE_HINT } from '../support/hints';

/**
 * The limits not covered elsewhere. Inflate bombs (honest and lying), too many entries, an
 * archive over Max Archive Size and absolute or parent paths are in node-archive.test.ts and
 * archive-reader.test.ts; here: one entry bigger than the limit on its own, and a download
 * whose size the host does not announce.
 */

const MiB = 1024 * 1024;

let emulator: ProlificEmulator;
let sampleEntries: RawZipEntry[];
before(async () => {
	emulator = await startEmulator();
	sampleEntries = await rawEntriesOf(await buildArchive(sampleBatch));
	// The engine sets up its folders on its first run: warm it up before counting files.
	assert.equal((await runExport(emulator, { batchId: BATCH_ID })).status, 'success');
});
after(async () => await emulator.close());

/** Every file of n8n's binary store. */
function storedFiles(): string[] {
	return readdirSync(harnessDir(), { recursive: true })
		.map(String)
		.filter((path) => path.includes('binary_data/'))
		.sort();
}

describe('an oversized single entry', () => {
	// 3 MiB of one byte: a few KiB on the wire, so only the inflated size can trip the limit.
	const name = `files/${SUBMISSION[0]}_${PHOTO}_9.bin`;
	const data = Buffer.alloc(3 * MiB, 0x2a);
	let archive: Buffer;
	before(() => {
		archive = buildRawZip([...sampleEntries, { name, data }]);
		assert.ok(archive.length < 64 * 1024, `the archive is ${archive.length} bytes`);
	});

	it('is refused before anything is inflated, naming the limit and the option that raises it', async () => {
		const stored = storedFiles();
		const started = performance.now();
		const run = await runExport(emulator, { batchId: serveArchive(emulator, archive), options: { maxArchiveSizeMb: 2 } });
		assert.deepEqual(failure(run), {
			status: 'error',
			message: 'The export archive inflates to more than 2.0 MiB',
			description: SIZE_HINT,
		});
		assert.ok(performance.now() - started < 1_000);
		assert.deepEqual(storedFiles(), stored, 'no file reached the binary store');
	});

	it('passes whole once the option is raised', async () => {
		const run = await runExport(emulator, { batchId: serveArchive(emulator, archive), options: { maxArchiveSizeMb: 4 } });
		assert.equal(run.status, 'success', run.error?.message);
		const attached = run.items.flatMap((item) => Object.values(item.binary)).filter((binary) => binary.fileName === name.slice('files/'.length));
		assert.equal(attached.length, 1);
		assert.ok(attached[0].bytes.equals(data));
	});
});

describe('a header that lies about a size within the limit', () => {
	/** The sizes the reader asks Buffer.allocUnsafe for while `work` runs. */
	async function allocations(work: () => Promise<unknown>): Promise<number[]> {
		const original = Buffer.allocUnsafe;
		const sizes: number[] = [];
		Buffer.allocUnsafe = (size: number) => {
			sizes.push(size);
			return original(size);
		};
		try {
			await work();
		} finally {
			Buffer.allocUnsafe = original;
		}
		return sizes;
	}

	it('is not believed: ten bytes declaring 1.9 GiB allocate no 1.9 GiB buffer, and fail as corrupt', async () => {
		// On a host with little memory that allocation itself failed, with a bare RangeError.
		const name = 'files/s1_i_0.bin';
		const zip = buildRawZip([{ name, data: Buffer.alloc(10), declaredSize: 1900 * MiB }]);
		const archive = await ExportArchive.open(zip, { maxBytes: 2048 * MiB, maxFiles: 10 });
		let error: unknown;
		const sizes = await allocations(async () => await archive.readBytes(name).catch((caught: unknown) => (error = caught)));
		assert.ok(error instanceof ArchiveError);
		assert.equal(error.message, `The export archive is corrupt: '${name}' cannot be read (it inflated to 10 bytes but declares ${1900 * MiB})`);
		assert.ok(Math.max(0, ...sizes) <= MiB, `allocated ${Math.max(...sizes)} bytes`);
	});

	it('while an honest entry streams in chunks (of 1 MiB at most): no buffer of its size, however large', async () => {
		const name = 'files/s1_i_0.bin';
		const data = Buffer.alloc(8 * MiB, 7);
		const archive = await ExportArchive.open(buildRawZip([{ name, data }]), { maxBytes: 2048 * MiB, maxFiles: 10 });
		const chunks: Buffer[] = [];
		const sizes = await allocations(async () => {
			for await (const chunk of archive.stream(name)) chunks.push(chunk as Buffer);
		});
		assert.ok(Buffer.concat(chunks).equals(data));
		assert.ok(Math.max(0, ...sizes) <= MiB, `allocated ${Math.max(...sizes)} bytes`);
	});
});

describe('a download without Content-Length', () => {
	it('(the emulator sends it chunked, with no Content-Length)', async () => {
		emulator.reset();
		const api = async (path: string, method = 'GET') =>
			(await (await fetch(`${emulator.apiUrl}${path}`, { method, headers: { authorization: `Token ${emulator.token}` } })).json()) as {
				export_id: string;
				status: string;
				url?: string;
			};
		const path = EXPORT_PATH(BATCH_ID);
		const { export_id } = await api(path, 'POST');
		let job = await api(`${path}/${export_id}`);
		while (job.status !== 'complete') job = await api(`${path}/${export_id}`);
		emulator.inject({ route: 'download', chunked: true });
		const response = await fetch(job.url!);
		assert.equal(response.headers.get('content-length'), null);
		assert.equal(response.headers.get('transfer-encoding'), 'chunked');
		assert.ok(Buffer.from(await response.arrayBuffer()).equals(await buildArchive(sampleBatch)));
	});

	it('is held to Max Archive Size on the bytes that arrive', async () => {
		emulator.reset();
		emulator.inject({ route: 'download', chunked: true });
		const run = await runExport(emulator, { batchId: BATCH_ID, options: { maxArchiveSizeMb: 0.01 } });
		assert.equal(run.status, 'error');
		assert.match(String(run.error?.message), /^The export archive is \d+(\.\d)? KiB or more, over the limit of 10 KiB$/);
		assert.equal(run.error?.description, SIZE_HINT);
		const [download] = downloads(emulator);
		assert.ok(download, 'it was downloaded');
	});

	it('within the limit, arrives whole', async () => {
		emulator.reset();
		const clean = await runExport(emulator, { batchId: BATCH_ID });
		emulator.reset();
		emulator.inject({ route: 'download', chunked: true });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		assert.deepEqual(
			run.items.map((item) => item.json),
			clean.items.map((item) => item.json),
		);
	});
});
