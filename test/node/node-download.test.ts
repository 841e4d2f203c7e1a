import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { ProlificEmulator } from '../emulator';
import { buildArchive } from '../emulator/archive-builder';
import { sampleBatch } from '../fixtures/sample-batch';
import { BATCH_ID } from '../fixtures/sample-expected';
import { outputOf, type Output } from '../support/output';
import { apiRequests, downloads } from '../support/requests';
import { runExport, startEmulator } from '../support/setup';

/** What storage hosts really do to a download: compress it, and redirect it. */

let emulator: ProlificEmulator;
let clean: Output;
before(async () => {
	emulator = await startEmulator();
	clean = outputOf(await runExport(emulator, { batchId: BATCH_ID }));
});
after(async () => await emulator.close());
beforeEach(() => emulator.reset());

describe('a host that compresses the download', () => {
	for (const compression of ['DEFLATE', 'STORE'] as const) {
		for (const gzip of ['always', 'when-asked'] as const) {
			it(`gzip ${gzip}, ${compression} archive: the same items and file bytes, in one download`, async () => {
				emulator.setArchive(BATCH_ID, await buildArchive(sampleBatch, { compression }));
				emulator.inject({ route: 'download', gzip, times: 10 });
				const run = await runExport(emulator, { batchId: BATCH_ID });
				assert.equal(run.status, 'success', run.error?.message);
				assert.deepEqual(outputOf(run), clean);
				assert.equal(downloads(emulator).length, 1);
				assert.equal(downloads(emulator)[0].headers['accept-encoding'], 'identity');
			});
		}
	}
});

describe('redirects of the download', () => {
	it('follows a redirect on the storage host, and the file bytes are the same', async () => {
		emulator.inject({ route: 'download', status: 302, headers: { location: '{request}' }, times: 2 });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		assert.deepEqual(outputOf(run), clean);
		assert.equal(downloads(emulator).length, 3);
		assert.ok(downloads(emulator).every((request) => request.headers.authorization === undefined));
	});

	it('refuses a redirect to plain HTTP on another host, and says why', async () => {
		emulator.inject({ route: 'download', status: 302, headers: { location: 'http://downloads.example.test/export.zip' } });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'error');
		assert.equal(run.error?.message, 'The download link redirected to a link that is not HTTPS');
		assert.match(run.error?.description ?? '', /only downloads exports over HTTPS/);
		assert.equal(downloads(emulator).length, 1);
	});

	it("refuses a redirect to the Prolific API's own host, without requesting it", async () => {
		emulator.inject({ route: 'download', status: 307, headers: { location: `${emulator.apiUrl}/api/v1/users/me/` } });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'error');
		assert.equal(run.error?.message, `The download link redirected to a link that points at the Prolific API (${new URL(emulator.apiUrl).host}), not the storage host`);
		assert.ok(!apiRequests(emulator).some((request) => request.path === '/api/v1/users/me/'));
	});

	it('refuses a link that redirects more than 5 times', async () => {
		emulator.inject({ route: 'download', status: 302, headers: { location: '{request}' }, times: 100 });
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'error');
		assert.equal(run.error?.message, 'The download link redirected more than 5 times');
		assert.equal(downloads(emulator).length, 6);
	});
});

describe('the disk the archive goes to', () => {
	it('is checked for room when the host announces the size: no byte is written to a disk that cannot hold it', async () => {
		const announced = 10 ** 15; // 909 TiB, within a Max Archive Size raised to 2 PB
		emulator.inject({ route: 'download', announce: announced });
		const run = await runExport(emulator, { batchId: BATCH_ID, options: { maxArchiveSizeMb: 2e9 } });
		assert.equal(run.status, 'error');
		assert.match(
			run.error?.message ?? '',
			new RegExp(`^There is not enough disk space to download the export: it needs 909 TiB in ${tmpdir()}, which has [\\d.]+ [KMGT]iB free$`),
		);
		assert.match(run.error?.description ?? '', /Free space there, or point n8n's TMPDIR at a larger disk/);
		assert.equal(downloads(emulator).length, 1, 'not worth another try');
	});
});
