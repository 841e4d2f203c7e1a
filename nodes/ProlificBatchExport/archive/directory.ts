import type { ArchiveSource } from './source';

/**
 * A ZIP's central directory, read from the end of the archive within bounds: the directory
 * itself is read in one piece only when it is no larger than `maxDirectoryBytes`, every offset
 * and length is checked against the archive before it is used, and 64-bit sizes (ZIP64) are
 * read as numbers only while they are exact. Modelled on n8n's Compression node
 * (`decompress/ZipCentralDirectory.ts`); knows nothing of Prolific's layout.
 */

export interface DirectoryEntry {
	/** as stored, decoded as UTF-8 */
	name: string;
	/** the stored name's length in bytes */
	nameLength: number;
	isDirectory: boolean;
	/** 0 stored, 8 DEFLATE */
	method: number;
	encrypted: boolean;
	crc32: number;
	compressedSize: number;
	size: number;
	/** where the entry's local header starts */
	localOffset: number;
}

/** The archive is not a ZIP this reader can read; `message` says why. */
export class UnreadableZipError extends Error {}

/** Would the central directory not fit into its archive or its bounds, say why. */
export class DirectoryTooLargeError extends Error {}

const END = 0x06054b50;
const END_SIZE = 22;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_END = 0x06064b50;
const ZIP64_END_SIZE = 56;
const CENTRAL = 0x02014b50;
const CENTRAL_SIZE = 46;
const LOCAL = 0x04034b50;
const LOCAL_SIZE = 30;
const ZIP64_EXTRA = 0x0001;
const MAX_COMMENT = 0xffff;

const FLAG_ENCRYPTED = 0x0001;
const DOS_DIRECTORY = 0x10;
const UNIX_DIRECTORY = 0o040000;

interface Bounds {
	entries: number;
	offset: number;
	size: number;
	/** where the directory must end: the ZIP64 record or the end record */
	end: number;
}

export async function readDirectory(source: ArchiveSource, maxDirectoryBytes: number): Promise<DirectoryEntry[]> {
	const bounds = await directoryBounds(source);
	if (bounds.size > maxDirectoryBytes) throw new DirectoryTooLargeError(`its central directory is ${bounds.size} bytes`);
	const bytes = await source.read(bounds.offset, bounds.size, true);
	const entries: DirectoryEntry[] = [];
	let at = 0;
	for (let i = 0; i < bounds.entries; i++) {
		const record = parseRecord(bytes, at, source.size);
		entries.push(record.entry);
		at = record.next;
	}
	return entries;
}

/**
 * Where an entry's data starts, from its local header (whose sizes the central directory
 * overrides). The header must name the entry as the directory does: a directory that points
 * one entry's name at another's data is refused, not believed.
 */
export async function dataOffset(source: ArchiveSource, entry: DirectoryEntry): Promise<number> {
	const { nameLength } = entry;
	const header = await source.read(entry.localOffset, LOCAL_SIZE + nameLength);
	if (header.length < LOCAL_SIZE || header.readUInt32LE(0) !== LOCAL) {
		throw new UnreadableZipError(`no local header for '${entry.name}'`);
	}
	if (header.length < LOCAL_SIZE + nameLength || header.readUInt16LE(26) !== nameLength || header.toString('utf8', LOCAL_SIZE) !== entry.name) {
		throw new UnreadableZipError(`the local header of '${entry.name}' names another entry`);
	}
	const start = entry.localOffset + LOCAL_SIZE + header.readUInt16LE(26) + header.readUInt16LE(28);
	if (start + entry.compressedSize > source.size) throw new UnreadableZipError(`'${entry.name}' runs past the end of the archive`);
	return start;
}

async function directoryBounds(source: ArchiveSource): Promise<Bounds> {
	const tailStart = Math.max(0, source.size - END_SIZE - MAX_COMMENT);
	const tail = await source.read(tailStart, source.size - tailStart, true);
	let at = -1;
	for (let i = tail.length - END_SIZE; i >= 0; i--) {
		if (tail.readUInt32LE(i) === END) {
			at = i;
			break;
		}
	}
	if (at < 0) throw new UnreadableZipError('end of central directory not found');
	const end = tailStart + at;
	let bounds: Bounds = {
		entries: tail.readUInt16LE(at + 10),
		size: tail.readUInt32LE(at + 12),
		offset: tail.readUInt32LE(at + 16),
		end,
	};
	if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0) {
		throw new UnreadableZipError('archives split over several files are not supported');
	}
	const locator = end >= ZIP64_LOCATOR_SIZE ? await source.read(end - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE, true) : undefined;
	if (locator?.readUInt32LE(0) === ZIP64_LOCATOR) bounds = await zip64Bounds(source, locator, end);
	if (bounds.offset + bounds.size > bounds.end) throw new UnreadableZipError('the central directory lies outside the archive');
	// Each record takes at least its fixed part: a count the directory cannot hold is a lie.
	if (bounds.entries * CENTRAL_SIZE > bounds.size) throw new UnreadableZipError('the central directory is shorter than its entries');
	return bounds;
}

async function zip64Bounds(source: ArchiveSource, locator: Buffer, end: number): Promise<Bounds> {
	const recordAt = uint64(locator, 8);
	if (recordAt === undefined || recordAt + ZIP64_END_SIZE > end) throw new UnreadableZipError('the ZIP64 end record lies outside the archive');
	const record = await source.read(recordAt, ZIP64_END_SIZE, true);
	if (record.readUInt32LE(0) !== ZIP64_END) throw new UnreadableZipError('ZIP64 end of central directory not found');
	const [entries, size, offset] = [uint64(record, 32), uint64(record, 40), uint64(record, 48)];
	if (entries === undefined || size === undefined || offset === undefined) throw new UnreadableZipError('ZIP64 sizes out of range');
	return { entries, size, offset, end: recordAt };
}

function parseRecord(bytes: Buffer, at: number, archiveSize: number): { entry: DirectoryEntry; next: number } {
	if (at + CENTRAL_SIZE > bytes.length || bytes.readUInt32LE(at) !== CENTRAL) {
		throw new UnreadableZipError('a central directory record is missing');
	}
	const nameLength = bytes.readUInt16LE(at + 28);
	const extraLength = bytes.readUInt16LE(at + 30);
	const next = at + CENTRAL_SIZE + nameLength + extraLength + bytes.readUInt16LE(at + 32);
	if (next > bytes.length) throw new UnreadableZipError('a central directory record runs past the directory');
	const name = bytes.toString('utf8', at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength);
	const extra = bytes.subarray(at + CENTRAL_SIZE + nameLength, at + CENTRAL_SIZE + nameLength + extraLength);
	const sizes = zip64Sizes(extra, {
		size: bytes.readUInt32LE(at + 24),
		compressedSize: bytes.readUInt32LE(at + 20),
		localOffset: bytes.readUInt32LE(at + 42),
	});
	if (sizes.localOffset + LOCAL_SIZE > archiveSize || sizes.compressedSize > archiveSize) {
		throw new UnreadableZipError(`'${name}' lies outside the archive`);
	}
	const host = bytes.readUInt8(at + 5);
	const attributes = bytes.readUInt32LE(at + 38);
	return {
		entry: {
			name,
			nameLength,
			isDirectory:
				name.endsWith('/') ||
				(host === 0 && (attributes & DOS_DIRECTORY) !== 0) ||
				(host === 3 && ((attributes >>> 16) & 0o170000) === UNIX_DIRECTORY),
			method: bytes.readUInt16LE(at + 10),
			encrypted: (bytes.readUInt16LE(at + 8) & FLAG_ENCRYPTED) !== 0,
			crc32: bytes.readUInt32LE(at + 16),
			...sizes,
		},
		next,
	};
}

type Sizes = Pick<DirectoryEntry, 'size' | 'compressedSize' | 'localOffset'>;

/** The ZIP64 extra field holds, in this order, each 32-bit field that is set to 0xffffffff. */
function zip64Sizes(extra: Buffer, sizes: Sizes): Sizes {
	const wanted = (['size', 'compressedSize', 'localOffset'] as const).filter((key) => sizes[key] === 0xffffffff);
	if (wanted.length === 0) return sizes;
	for (let at = 0; at + 4 <= extra.length; ) {
		const id = extra.readUInt16LE(at);
		const length = extra.readUInt16LE(at + 2);
		if (id === ZIP64_EXTRA) {
			if (at + 4 + wanted.length * 8 > Math.min(extra.length, at + 4 + length)) break;
			const wide = { ...sizes };
			wanted.forEach((key, i) => {
				const value = uint64(extra, at + 4 + i * 8);
				if (value === undefined) throw new UnreadableZipError('ZIP64 sizes out of range');
				wide[key] = value;
			});
			return wide;
		}
		at += 4 + length;
	}
	throw new UnreadableZipError('a ZIP64 entry lacks its 64-bit sizes');
}

/** A 64-bit field, or undefined past 2^53 (no archive is that large). */
function uint64(bytes: Buffer, at: number): number | undefined {
	const value = bytes.readBigUInt64LE(at);
	return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}
