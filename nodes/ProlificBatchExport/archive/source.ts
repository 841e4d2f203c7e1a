// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- the archive is read from its temporary file by offset, never loaded whole
import { createReadStream } from 'node:fs';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- the archive is read from its temporary file by offset, never loaded whole
import { open } from 'node:fs/promises';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- n8n's binary store takes a Readable; entries reach it as streams
import { PassThrough, Readable } from 'node:stream';

/** The archive's bytes, read by offset: from its file, or (in tests) from memory. */
export interface ArchiveSource {
	readonly size: number;
	/**
	 * Up to `length` bytes from `position` (fewer at the end). `ahead`: needed before the bytes
	 * before them (the directory), so worth fetching out of order while the archive downloads.
	 */
	read(position: number, length: number, ahead?: boolean): Promise<Buffer>;
	/** Reads into `buffer` (up to its length) from `position`; resolves to the number of bytes read. */
	readInto(buffer: Buffer, position: number): Promise<number>;
	/** The bytes from `start` up to `end` (exclusive), as a stream. */
	stream(start: number, end: number): Readable;
	/** Whether the bytes read ahead are those that arrived; true while they have not arrived yet. */
	readAheadMatches(): Promise<boolean>;
	close(): Promise<void>;
}

/**
 * A file still being written (the archive while it downloads). Reads wait until their bytes are
 * there; a small read past them (the central directory, at the archive's end) may be fetched ahead.
 */
export interface Arrival {
	/** The file's size once complete. */
	readonly size: number;
	/** How many bytes from the start are there. */
	readonly arrived: number;
	/** Resolves once the bytes up to `end` are there; rejects if they never will be. */
	until(end: number): Promise<void>;
	/** The bytes from `start` up to `end` from elsewhere, or undefined to wait for them instead. */
	fetchAhead(start: number, end: number): Promise<Buffer | undefined>;
}

/** Reads larger than this wait for the download rather than fetch ahead: only the directory is worth it. */
const MAX_FETCH_AHEAD = 16 * 1024 * 1024;

/**
 * Reads of this size keep the number of reads, and of buffers to collect, small; eight entries
 * streaming at once hold a few MiB each.
 */
const CHUNK = 1024 * 1024;

/** The archive in its file; with `arrival`, while the file is still being written. */
export async function fileSource(path: string, arrival?: Arrival): Promise<ArchiveSource> {
	const handle = await open(path, 'r');
	const size = arrival?.size ?? (await handle.stat()).size;
	/** Resolves once the bytes up to `end` are in the file. */
	const there = async (end: number) => await arrival?.until(Math.min(end, size));
	const streamed = (start: number, end: number) => createReadStream(path, { start, end: end - 1, highWaterMark: CHUNK });
	const readAhead: { position: number; bytes: Buffer }[] = [];
	const readFile = async (position: number, length: number) => {
		const buffer = Buffer.allocUnsafe(Math.max(0, length));
		const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
		return buffer.subarray(0, bytesRead);
	};
	return {
		size,
		read: async (position, length, ahead = false) => {
			const end = Math.min(position + length, size);
			if (ahead && arrival && arrival.arrived < end && end - position <= MAX_FETCH_AHEAD) {
				const bytes = await arrival.fetchAhead(position, end);
				if (bytes) {
					readAhead.push({ position, bytes });
					return bytes;
				}
			}
			await there(end);
			return await readFile(position, end - position);
		},
		// A closing handle waits for reads under way and refuses later ones (a read that waited for
		// a download the run gave up on), so a read never lands on a reused descriptor.
		readInto: async (buffer, position) => {
			await there(position + buffer.length);
			return (await handle.read(buffer, 0, buffer.length, position)).bytesRead;
		},
		// A descriptor of its own per stream, so several entries may stream at once.
		stream: (start, end) => {
			if (end <= start) return Readable.from([]);
			if (!arrival || arrival.arrived >= end) return streamed(start, end);
			const out = new PassThrough({ highWaterMark: CHUNK });
			there(end).then(
				() => {
					if (out.destroyed) return;
					const file = streamed(start, end).on('error', (error) => out.destroy(error));
					out.on('close', () => file.destroy());
					file.pipe(out);
				},
				(error: Error) => out.destroy(error),
			);
			return out;
		},
		readAheadMatches: async () => {
			for (const { position, bytes } of readAhead) {
				if ((arrival?.arrived ?? size) >= position + bytes.length && !bytes.equals(await readFile(position, bytes.length))) return false;
			}
			return true;
		},
		close: async () => await handle.close(),
	};
}

export function bufferSource(bytes: Buffer): ArchiveSource {
	return {
		size: bytes.length,
		read: async (position, length) => bytes.subarray(position, position + length),
		readInto: async (buffer, position) => bytes.copy(buffer, 0, position, Math.min(bytes.length, position + buffer.length)),
		stream: (start, end) => Readable.from(end > start ? [bytes.subarray(start, end)] : [], { objectMode: false }),
		readAheadMatches: async () => true,
		close: async () => undefined,
	};
}
