import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import JSZip from 'jszip';

import { ExportArchive } from '../../nodes/ProlificBatchExport/archive/reader';
import { buildRawZip } from '../emulator';

/**
 * archive/reader.ts takes each entry's stored bytes from jszip's private `_data` (its
 * CompressedObject), and sees repeated entry names through the `file()` calls of jszip's loader,
 * neither of which any typing or semver promise covers: package.json pins jszip exactly,
 * and this test says loudly which field moved if an upgrade changes them.
 */
describe('jszip internals the archive reader depends on', () => {
	const text = 'hello, hello, hello, hello';

	async function loaded(): Promise<Record<string, { _data?: Record<string, unknown> }>> {
		const zip = new JSZip();
		zip.file('deflated.txt', text, { compression: 'DEFLATE' });
		zip.file('stored.txt', text, { compression: 'STORE' });
		zip.file('empty.txt', '');
		const loadedZip = await JSZip.loadAsync(await zip.generateAsync({ type: 'nodebuffer' }));
		return loadedZip.files as unknown as Record<string, { _data?: Record<string, unknown> }>;
	}

	it('keeps sizes, CRC-32, method and a view of the stored bytes in _data', async () => {
		const files = await loaded();
		for (const [name, magic] of [
			['deflated.txt', '\x08\x00'],
			['stored.txt', '\x00\x00'],
		] as const) {
			const stored = files[name]._data;
			assert.ok(stored, `${name}: jszip no longer keeps _data`);
			assert.ok(stored.compressedContent instanceof Uint8Array, `${name}: _data.compressedContent is not a Uint8Array`);
			assert.equal(stored.uncompressedSize, text.length, `${name}: _data.uncompressedSize`);
			assert.equal(typeof stored.compressedSize, 'number', `${name}: _data.compressedSize`);
			assert.equal(typeof stored.crc32, 'number', `${name}: _data.crc32`);
			assert.equal((stored.compression as { magic?: string } | undefined)?.magic, magic, `${name}: _data.compression.magic`);
		}
		assert.equal(files['empty.txt']._data?.compressedContent, undefined, 'an empty entry now has stored bytes');
	});

	it('so the reader reads each kind byte for byte', async () => {
		const zip = new JSZip();
		zip.file('files/a_b_0.txt', text, { compression: 'DEFLATE' });
		zip.file('files/c_d_0.txt', text, { compression: 'STORE' });
		zip.file('files/e_f_0.txt', '');
		const archive = await ExportArchive.open(await zip.generateAsync({ type: 'nodebuffer' }), { maxBytes: 1 << 20, maxFiles: 10 });
		assert.equal((await archive.readBytes('files/a_b_0.txt')).toString(), text);
		assert.equal((await archive.readBytes('files/c_d_0.txt')).toString(), text);
		assert.equal((await archive.readBytes('files/e_f_0.txt')).length, 0);
	});

	it('adds every entry through file(name, data, options) as it loads, so a repeated name is seen', async () => {
		const twice = buildRawZip(['a.txt', 'b.txt', 'a.txt'].map((name) => ({ name, data: Buffer.from(name) })));
		await assert.rejects(ExportArchive.open(twice, { maxBytes: 1 << 20, maxFiles: 10 }), {
			message: "The export archive is corrupt: it holds more than one entry named 'a.txt'",
		});
	});
});
