import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, beforeEach, describe, it } from 'node:test';

import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';

import type { ProlificEmulator } from '../emulator';
import { buildArchive } from '../emulator/archive-builder';
import { sampleBatch } from '../fixtures/sample-batch';
import type { RunResult } from '../harness';
import { mulberry32 } from '../support/random';
import { apiRequests, downloads } from '../support/requests';
import { runExport, startEmulator } from '../support/setup';

/**
 * An archive of 8 MiB or more is read while it downloads, when the storage host serves byte ranges
 * (S3 does): its directory comes first by Range requests, and a cut download resumes where it
 * stopped. Hosts that ignore ranges, or compress, are read once downloaded. Every way, the items
 * and file bytes are the same.
 */

const random = mulberry32(20);
/** The sample batch's uploads, each replaced by 1.5 MB of incompressible bytes: a 12 MB archive. */
const files = Object.fromEntries(
	Object.keys(sampleBatch.files).map((path) => [path, Buffer.from(Array.from({ length: 1_500_000 }, () => Math.floor(random() * 256)))]),
);
const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const expected = Object.values(files).map(digest).sort();
const leftovers = () => readdirSync(tmpdir()).filter((name) => name.startsWith(`n8n-prolific-export-${process.pid}-`));

let emulator: ProlificEmulator;
let batchId: string;
before(async () => {
	emulator = await startEmulator();
	batchId = randomUUID();
	emulator.addBatch({ ...sampleBatch, batch_id: batchId, files });
});
after(async () => await emulator.close());
beforeEach(() => {
	emulator.reset();
	emulator.servesRanges = true;
	emulator.downloadBytesPerSecond = 0;
});

/** Every upload arrived, byte for byte, and the temporary archive is gone. */
function assertAllFiles(run: RunResult): void {
	assert.equal(run.status, 'success', run.error?.message);
	const stored = run.items.flatMap((item) => Object.values(item.binary).map(({ bytes }) => digest(bytes)));
	assert.deepEqual(stored.sort(), expected);
	assert.deepEqual(leftovers(), []);
}

const rangesAsked = () => downloads(emulator).map((request) => request.headers.range ?? 'all');

describe('an archive read while it downloads', () => {
	it('reads the directory from the end first, then every file of the one download', async () => {
		assert.ok(Object.keys(files).length * 1.5e6 > 8 * 1024 * 1024, 'the archive is big enough to be read early');
		const run = await runExport(emulator, { batchId });
		assertAllFiles(run);
		assert.equal(run.items.length, sampleBatch.submissions.length);
		const asked = rangesAsked();
		assert.equal(asked[0], 'all');
		assert.ok(asked.slice(1).every((range) => /^bytes=\d+-\d+$/.test(range)), asked.join(', '));
		assert.ok(asked.length >= 2 && asked.length <= 3, asked.join(', '));
	});

	it('gives the same items as a host that ignores ranges, which is read once downloaded', async () => {
		const early = await runExport(emulator, { batchId, parameters: { output: 'files' } });
		emulator.reset();
		emulator.servesRanges = false;
		const late = await runExport(emulator, { batchId, parameters: { output: 'files' } });
		assertAllFiles(early);
		assertAllFiles(late);
		assert.deepEqual(
			late.items.map((item) => item.json),
			early.items.map((item) => item.json),
		);
		// The probe for the end was answered with the whole archive and dropped: one download, nothing resumed.
		const asked = rangesAsked();
		assert.equal(asked.length, 2, asked.join(', '));
		assert.equal(asked[0], 'all');
		assert.match(asked[1], /^bytes=\d+-\d+$/);
	});

	it('resumes a download cut midway from where it stopped, not from the start', async () => {
		emulator.inject({ route: 'download', reset: 'mid-body' });
		const run = await runExport(emulator, { batchId });
		assertAllFiles(run);
		const resumed = rangesAsked().filter((range) => /^bytes=\d+-$/.test(range));
		assert.equal(resumed.length, 1, rangesAsked().join(', '));
		assert.ok(Number(/\d+/.exec(resumed[0])?.[0]) > 1_000_000, resumed[0]);
	});

	it('resumes from a fresh link when the link is refused on the resume', async () => {
		emulator.inject({ route: 'download', reset: 'mid-body' });
		const running = runExport(emulator, { batchId });
		// Once the end has been fetched (the archive is being read), the next request is the resume.
		while (!rangesAsked().some((range) => /^bytes=\d+-\d+$/.test(range))) await new Promise((resolve) => setTimeout(resolve, 5));
		emulator.inject({ route: 'download', status: 403 });
		const run = await running;
		assertAllFiles(run);
		const asked = rangesAsked();
		const refused = asked.findIndex((range) => /^bytes=\d+-$/.test(range));
		assert.ok(refused > 0 && /^bytes=\d+-$/.test(asked[refused + 1] ?? ''), asked.join(', '));
		const refusedAt = downloads(emulator)[refused].at;
		assert.ok(apiRequests(emulator).some((request) => request.method === 'GET' && request.path.includes('/export/') && request.at >= refusedAt), 'a fresh link was asked for');
	});

	it('stores the whole archive, byte for byte, for the Archive output', async () => {
		const run = await runExport(emulator, { batchId, parameters: { output: 'archive' } });
		assert.equal(run.status, 'success', run.error?.message);
		const zip = await buildArchive({ ...sampleBatch, batch_id: batchId, files });
		assert.equal(digest(run.items[0].binary.data.bytes), digest(zip));
	});

	it('records without files: done once the records are read, without waiting for the uploads to arrive', async () => {
		emulator.downloadBytesPerSecond = 4e6; // the 12 MB archive takes 3 s
		const started = performance.now();
		const run = await runExport(emulator, { batchId, parameters: { includeFiles: false } });
		const ms = performance.now() - started;
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, sampleBatch.submissions.length);
		assert.ok(run.items.every((item) => Object.keys(item.binary).length === 0));
		assert.ok(ms < 1500, `${Math.round(ms)} ms: the whole download was waited for`);
		assert.deepEqual(leftovers(), []);
	});

	it('a slow download: uploads are stored as it arrives, not all after it', async () => {
		emulator.downloadBytesPerSecond = 4e6; // the 12 MB archive takes 3 s
		const run = await runExport(emulator, { batchId, parameters: { output: 'files' } });
		assertAllFiles(run);
		const store = Container.get(BinaryDataService);
		const storedAt = run.items.map(({ binary }) => {
			assert.ok(binary.data.id, 'stored in the filesystem binary store');
			return statSync(store.getPath(binary.data.id)).mtimeMs;
		});
		// Read after the download, every upload would be stored once its 3 s are over.
		const first = Math.min(...storedAt) - downloads(emulator)[0].at;
		assert.ok(first < 2000, `first upload stored ${Math.round(first)} ms after the download started`);
	});

	it('a host whose ranges hold other bytes than they say: the directory is read again from the whole download, same files', async () => {
		emulator.inject({ route: 'download', shiftRange: 1000, times: 5 });
		assertAllFiles(await runExport(emulator, { batchId }));
		assert.ok(rangesAsked().some((range) => /^bytes=\d+-\d+$/.test(range)));
	});

	it('a host that compresses the download anyway: read once downloaded, same files', async () => {
		emulator.inject({ route: 'download', gzip: 'always', times: 10 });
		assertAllFiles(await runExport(emulator, { batchId }));
	});

	it('a download that keeps being cut fails with what happened, keeps nothing, and leaves no file', async () => {
		emulator.inject({ route: 'download', reset: 'mid-body', times: 20 });
		const run = await runExport(emulator, { batchId });
		assert.equal(run.status, 'error');
		assert.match(run.error?.message ?? '', /^Downloading the export failed \(.*, \d attempts\)$/);
		assert.match(run.error?.description ?? '', /Run the workflow again/);
		assert.equal(run.items.length, 0);
		assert.deepEqual(leftovers(), []);
	});
});
