import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { TempArchive } from '../../nodes/ProlificBatchExport/temp-archive';
import { ArchiveArrival } from '../../nodes/ProlificBatchExport/transport/arrival';

/**
 * When uploads are read: during a download slower than n8n stores them, else once it is complete.
 * The download is played by writes into a real temporary file; a write's end is what has arrived.
 */

const SIZE = 400e6;
let file: TempArchive;
let arrival: ArchiveArrival;
let created: number;
beforeEach(async () => {
	file = await TempArchive.create();
	created = Date.now();
	arrival = new ArchiveArrival(SIZE, file, async () => undefined, { start: SIZE - 1, bytes: Buffer.alloc(1) });
});
afterEach(async () => await file.remove());

/** Writes one byte ending at `end` after `ms`: the download has reached `end`. */
const arrive = async (ms: number, end: number) => {
	await delay(ms);
	await file.write([Buffer.alloc(1)], end - 1);
};

describe('when uploads are read', () => {
	it('a download faster than n8n stores: once it is complete', async () => {
		const events: string[] = [];
		const readable = arrival.uploadsReadable().then(() => events.push('readable'));
		await arrive(100, 200e6); // 2 GB/s
		await arrive(600, SIZE);
		events.push('complete');
		arrival.complete(SIZE);
		await readable;
		assert.deepEqual(events, ['complete', 'readable']);
	});

	it('a slower one: after half a second of it, while it goes on', async () => {
		const download = (async () => {
			for (let end = 5e6; end < 50e6; end += 5e6) await arrive(100, end); // 50 MB/s
		})();
		await arrival.uploadsReadable();
		const ms = Date.now() - created;
		assert.ok(ms >= 500 && ms < 900, `${ms} ms`);
		assert.ok(file.written < 50e6, 'read before the download ended');
		await download;
	});

	it('a download that fails meanwhile: with its failure', async () => {
		const readable = arrival.uploadsReadable();
		const failure = new Error('the connection closed');
		arrival.fail(failure);
		await assert.rejects(readable, failure);
	});
});
