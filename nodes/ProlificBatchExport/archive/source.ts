// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- the archive is read from its temporary file by offset, never loaded whole
import { createReadStream } from 'node:fs';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- the archive is read from its temporary file by offset, never loaded whole
import { open } from 'node:fs/promises';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- n8n's binary store takes a Readable; entries reach it as streams
import { Readable } from 'node:stream';

/** The archive's bytes, read by offset: from its file, or (in tests) from memory. */
export interface ArchiveSource {
	readonly size: number;
	/** Up to `length` bytes from `position` (fewer at the end). */
	read(position: number, length: number): Promise<Buffer>;
	/** Reads into `buffer` (up to its length) from `position`; resolves to the number of bytes read. */
	readInto(buffer: Buffer, position: number): Promise<number>;
	/** The bytes from `start` up to `end` (exclusive), as a stream. */
	stream(start: number, end: number): Readable;
	close(): Promise<void>;
}

/**
 * Reads of this size keep the number of reads, and of buffers to collect, small; eight entries
 * streaming at once hold a few MiB each.
 */
const CHUNK = 1024 * 1024;

export async function fileSource(path: string): Promise<ArchiveSource> {
	const handle = await open(path, 'r');
	const { size } = await handle.stat();
	return {
		size,
		read: async (position, length) => {
			const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - position)));
			const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
			return buffer.subarray(0, bytesRead);
		},
		// A closing handle waits for reads under way, so a read never lands on a reused descriptor.
		readInto: async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead,
		// A descriptor of its own per stream, so several entries may stream at once.
		stream: (start, end) => (end > start ? createReadStream(path, { start, end: end - 1, highWaterMark: CHUNK }) : Readable.from([])),
		close: async () => await handle.close(),
	};
}

export function bufferSource(bytes: Buffer): ArchiveSource {
	return {
		size: bytes.length,
		read: async (position, length) => bytes.subarray(position, position + length),
		readInto: async (buffer, position) => bytes.copy(buffer, 0, position, Math.min(bytes.length, position + buffer.length)),
		stream: (start, end) => Readable.from(end > start ? [bytes.subarray(start, end)] : [], { objectMode: false }),
		close: async () => undefined,
	};
}
