import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';

import type { ProlificEmulator, RawZipEntry } from '../emulator';
import { buildArchive, buildRawZip } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { PHOTO, SUBMISSION, TOTAL_FILES } from '../fixtures/sample-expected';
import { ensureEngine } from '../harness/engine';
import { harnessDir } from '../harness/env';
import { failure, rawEntriesOf, serveArchive } from '../support/archives';
import { runExport, startEmulator } from '../support/setup';

/**
 * n8n's `database` binary data mode (queue mode's default) as the node sees it: n8n-core's own
 * BinaryDataService in mode 'database', so every stored binary's id reads `database:…`. The
 * database manager itself lives in the n8n CLI package and needs PostgreSQL, so here n8n-core's
 * filesystem store holds the bytes under that mode's name; test/e2e/queue.e2e.ts runs the real one.
 */

const MiB = 1024 * 1024;
/** Over what n8n's PostgreSQL client can read back as one binary (256 MiB). */
const OVER_LIMIT = 260 * MiB;

type ServiceInternals = { mode: string; managers: Record<string, unknown> };

function binaryDataMode(mode: 'database' | 'filesystem-v2'): void {
	const service = Container.get(BinaryDataService) as unknown as ServiceInternals;
	service.managers.database = service.managers['filesystem-v2'];
	service.mode = mode;
}

/** Bytes of everything under n8n's binary store. */
function storedBytes(): number {
	const root = harnessDir();
	return readdirSync(root, { recursive: true })
		.map(String)
		.filter((path) => path.includes('binary_data/'))
		.reduce((sum, path) => sum + statSync(join(root, path)).size, 0);
}

const HINT_END =
	', or store binary data in S3 (N8N_DEFAULT_BINARY_DATA_MODE=s3), or run this workflow on an n8n in regular mode with N8N_DEFAULT_BINARY_DATA_MODE=filesystem.';
const HINT_START =
	"In this mode (queue mode's default) n8n keeps each binary in one database row, and its PostgreSQL client cannot read one over 256 MiB back. ";

let emulator: ProlificEmulator;
let sampleEntries: RawZipEntry[];
before(async () => {
	await ensureEngine();
	binaryDataMode('database');
	emulator = await startEmulator();
	sampleEntries = await rawEntriesOf(await buildArchive(sampleBatch));
});
after(async () => {
	binaryDataMode('filesystem-v2');
	await emulator.close();
});

describe("n8n's database binary data mode", () => {
	it('stores an ordinary export there, every upload whole', async () => {
		const run = await runExport(emulator, { batchId: sampleBatch.batch_id });
		assert.equal(run.status, 'success', run.error?.message);
		const uploads = Object.values(sampleBatch.files);
		const binaries = run.items.flatMap((item) => Object.values(item.binary));
		assert.equal(binaries.length, TOTAL_FILES);
		for (const binary of binaries) {
			assert.match(binary.id ?? '', /^database:/);
			assert.ok(uploads.some((upload) => upload.equals(binary.bytes)), `${binary.fileName}: the bytes of an upload`);
		}
	});

	describe('an upload over 256 MiB', () => {
		// 260 MiB of one value: about 256 KiB on the wire.
		const name = `files/${SUBMISSION[0]}_${PHOTO}_9.bin`;
		let archive: Buffer;
		before(() => {
			archive = buildRawZip([...sampleEntries, { name, data: Buffer.alloc(OVER_LIMIT, 0x2a) }]);
		});

		it('is refused before it is inflated or stored, naming the limit, the mode and what to do', async () => {
			const stored = storedBytes();
			const started = performance.now();
			const run = await runExport(emulator, { batchId: serveArchive(emulator, archive) });
			assert.deepEqual(failure(run), {
				status: 'error',
				message: `The upload '${name}' is 260 MiB, over the 256 MiB one binary can hold in n8n's 'database' binary data mode`,
				description: `${HINT_START}Export the records without their uploads (Include Files off)${HINT_END}`,
			});
			assert.ok(performance.now() - started < 2_000, 'nothing was inflated');
			assert.ok(storedBytes() - stored < MiB, 'the upload never reached the binary store');
		});

		it('passes whole in filesystem mode, where no such limit applies', async () => {
			binaryDataMode('filesystem-v2');
			try {
				const run = await runExport(emulator, { batchId: serveArchive(emulator, archive), output: 'files' });
				assert.equal(run.status, 'success', run.error?.message);
				const big = run.items.map((item) => item.binary.data).find((binary) => binary.bytes.length === OVER_LIMIT);
				assert.ok(big, 'the upload is an item of its own');
				assert.match(big.id ?? '', /^filesystem-v2:/);
			} finally {
				binaryDataMode('database');
			}
		});
	});

	it('refuses an Archive output over 256 MiB before storing it', async () => {
		// Stored, not deflated: the archive itself is over the limit.
		const padding: RawZipEntry = { name: `files/${SUBMISSION[1]}_${PHOTO}_9.bin`, data: Buffer.alloc(OVER_LIMIT), compression: 'STORE' };
		const archive = buildRawZip([...sampleEntries, padding]);
		const stored = storedBytes();
		const run = await runExport(emulator, { batchId: serveArchive(emulator, archive), output: 'archive' });
		assert.deepEqual(failure(run), {
			status: 'error',
			message: "The export archive is 260 MiB, over the 256 MiB one binary can hold in n8n's 'database' binary data mode",
			description: `${HINT_START}Use the Files or Submissions output instead (each upload its own binary)${HINT_END}`,
		});
		assert.ok(storedBytes() - stored < MiB, 'the archive never reached the binary store');
	});

	it('refuses to attach a report CSV over 256 MiB before reading its rows', async () => {
		// One cell of 260 MiB: a report n8n would store, then fail to read back.
		const batchId = serveArchive(emulator, buildRawZip(sampleEntries));
		emulator.setReport(batchId, Buffer.concat([Buffer.from('participant_id,notes\r\nabc,"'), Buffer.alloc(OVER_LIMIT, 0x61), Buffer.from('"\r\n')]));
		const stored = storedBytes();
		const started = performance.now();
		const run = await runExport(emulator, { batchId, output: 'report', options: { attachReport: true } });
		assert.deepEqual(failure(run), {
			status: 'error',
			message: "Prolific's report CSV is 260 MiB, over the 256 MiB one binary can hold in n8n's 'database' binary data mode",
			description: `${HINT_START}Turn Attach Report CSV off (its rows still arrive as items)${HINT_END}`,
		});
		assert.ok(performance.now() - started < 10_000, 'its rows were not read');
		assert.ok(storedBytes() - stored < MiB, 'the CSV never reached the binary store');
	});
});
