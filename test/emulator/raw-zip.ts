import { once } from 'node:events';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

/**
 * Hand-written ZIP writing and damaging, for hostile archives JSZip refuses to produce:
 * names it would normalise (`../evil.txt`, `/abs.txt`, `__proto__`), sizes that lie, bombs.
 */

export interface RawZipEntry {
	/** written byte for byte (UTF-8), never normalised */
	name: string;
	data: Buffer;
	/** uncompressed size to claim in both headers instead of the real one */
	declaredSize?: number;
	/** DEFLATE when absent */
	compression?: 'STORE' | 'DEFLATE';
}

interface PackedEntry {
	name: string;
	method: 0 | 8;
	crc: number;
	size: number;
	body: Buffer;
}

// 2026-03-20 09:00:00 in DOS format, fixed so the bytes are reproducible.
const DOS_TIME = 9 << 11;
const DOS_DATE = ((2026 - 1980) << 9) | (3 << 5) | 20;
const UTF8_NAMES = 0x0800;

/** `zip64`: written as ZIP64 tools write archives past 4 GiB (sizes and offsets in 64-bit fields). */
export function buildRawZip(entries: RawZipEntry[], options: { zip64?: boolean } = {}): Buffer {
	return pack(entries.map(packEntry), options.zip64);
}

function packEntry({ name, data, declaredSize, compression }: RawZipEntry): PackedEntry {
	const store = compression === 'STORE';
	return {
		name,
		method: store ? 0 : 8,
		crc: crc32(data),
		size: declaredSize ?? data.length,
		body: store ? data : deflateRawSync(data),
	};
}

function pack(entries: PackedEntry[], zip64 = false): Buffer {
	const parts: Buffer[] = [];
	const central: Buffer[] = [];
	let offset = 0;
	for (const e of entries) {
		const name = Buffer.from(e.name, 'utf8');
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(20, 4); // version needed
		local.writeUInt16LE(UTF8_NAMES, 6);
		local.writeUInt16LE(e.method, 8);
		local.writeUInt16LE(DOS_TIME, 10);
		local.writeUInt16LE(DOS_DATE, 12);
		local.writeUInt32LE(e.crc, 14);
		local.writeUInt32LE(e.body.length, 18);
		local.writeUInt32LE(e.size, 22);
		local.writeUInt16LE(name.length, 26);
		const header = Buffer.alloc(46);
		header.writeUInt32LE(0x02014b50, 0);
		header.writeUInt16LE(20, 4); // version made by
		local.copy(header, 6, 4, 30); // the central header repeats the local fields
		header.writeUInt32LE(offset, 42);
		const extra = zip64 ? zip64Extra(header, [e.size, e.body.length, offset]) : Buffer.alloc(0);
		parts.push(local, name, e.body);
		central.push(header, name, extra);
		offset += local.length + name.length + e.body.length;
	}
	const directory = Buffer.concat(central);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
	end.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
	end.writeUInt32LE(zip64 ? 0xffffffff : directory.length, 12);
	end.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
	const tail = zip64 ? zip64End(entries.length, directory.length, offset) : [];
	return Buffer.concat([...parts, directory, ...tail, end]);
}

/** Moves a central header's sizes and offset into a ZIP64 extra field, leaving 0xffffffff behind. */
function zip64Extra(header: Buffer, [size, compressedSize, offset]: number[]): Buffer {
	for (const at of [20, 24, 42]) header.writeUInt32LE(0xffffffff, at);
	const extra = Buffer.alloc(28);
	extra.writeUInt16LE(0x0001, 0);
	extra.writeUInt16LE(24, 2);
	extra.writeBigUInt64LE(BigInt(size), 4);
	extra.writeBigUInt64LE(BigInt(compressedSize), 12);
	extra.writeBigUInt64LE(BigInt(offset), 20);
	header.writeUInt16LE(extra.length, 30);
	return extra;
}

/** The ZIP64 end of central directory record and its locator, which go before the classic end record. */
function zip64End(entries: number, directorySize: number, directoryOffset: number): Buffer[] {
	const record = Buffer.alloc(56);
	record.writeUInt32LE(0x06064b50, 0);
	record.writeBigUInt64LE(44n, 4);
	record.writeUInt16LE(45, 12);
	record.writeUInt16LE(45, 14);
	record.writeBigUInt64LE(BigInt(entries), 24);
	record.writeBigUInt64LE(BigInt(entries), 32);
	record.writeBigUInt64LE(BigInt(directorySize), 40);
	record.writeBigUInt64LE(BigInt(directoryOffset), 48);
	const locator = Buffer.alloc(20);
	locator.writeUInt32LE(0x07064b50, 0);
	locator.writeBigUInt64LE(BigInt(directoryOffset + directorySize), 8);
	locator.writeUInt32LE(1, 16);
	return [record, locator];
}

/**
 * A small ZIP whose one `files/...` entry inflates to `sizeBytes` zeros (at most 4 GiB - 1: no ZIP64).
 * The zeros are deflated chunk by chunk so building a 3 GiB bomb never holds 3 GiB in memory.
 * `entries` go first, e.g. valid JSONL files so the bomb sits inside an otherwise plausible export.
 */
export async function inflateBomb(
	sizeBytes: number,
	opts: { name?: string; entries?: RawZipEntry[] } = {},
): Promise<Buffer> {
	const zeros = Buffer.alloc(Math.min(1 << 20, sizeBytes));
	const deflate = createDeflateRaw({ level: 9 });
	const chunks: Buffer[] = [];
	deflate.on('data', (c: Buffer) => chunks.push(c));
	const ended = once(deflate, 'end');
	let crc = 0;
	for (let left = sizeBytes; left > 0; left -= zeros.length) {
		const part = left < zeros.length ? zeros.subarray(0, left) : zeros;
		crc = crc32(part, crc);
		if (!deflate.write(part)) await once(deflate, 'drain');
	}
	deflate.end();
	await ended;
	const bomb: PackedEntry = {
		name: opts.name ?? 'files/bomb_0.bin',
		method: 8,
		crc,
		size: sizeBytes,
		body: Buffer.concat(chunks),
	};
	return pack([...(opts.entries ?? []).map(packEntry), bomb]);
}

/** Damage done to a finished archive, as a flaky transfer or a broken store would. */
export const mutateArchive = {
	/** The first `fraction` of the bytes: the central directory at the end is lost. */
	truncate(buf: Buffer, fraction: number): Buffer {
		return Buffer.from(buf.subarray(0, Math.floor(buf.length * fraction)));
	},

	/**
	 * Damages the data of the first entry `which` picks (by default the first JSONL entry) and
	 * keeps every header intact, so the archive still opens: a DEFLATE entry fails to inflate
	 * (invalid block type), a STORE entry reads as garbage.
	 */
	corrupt(buf: Buffer, which: (name: string) => boolean = (name) => name.endsWith('.jsonl')): Buffer {
		const out = Buffer.from(buf);
		const end = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
		if (end < 0) throw new Error('not a ZIP: no end of central directory');
		let at = out.readUInt32LE(end + 16);
		for (let i = out.readUInt16LE(end + 10); i > 0; i--) {
			const nameLength = out.readUInt16LE(at + 28);
			const name = out.toString('utf8', at + 46, at + 46 + nameLength);
			if (which(name)) {
				const local = out.readUInt32LE(at + 42);
				const start = local + 30 + out.readUInt16LE(local + 26) + out.readUInt16LE(local + 28);
				const length = out.readUInt32LE(at + 20);
				if (out.readUInt16LE(at + 10) === 8) out[start] |= 0x06; // BTYPE 11 is reserved
				else for (let j = start; j < start + length; j++) out[j] ^= 0xff;
				return out;
			}
			at += 46 + nameLength + out.readUInt16LE(at + 30) + out.readUInt16LE(at + 32);
		}
		throw new Error('no such entry to corrupt');
	},
};
