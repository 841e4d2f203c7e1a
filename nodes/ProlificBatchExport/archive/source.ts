// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- the archive is read from its temporary file by offset, never loaded whole
import { open } from 'node:fs/promises';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- n8n's binary store takes a Readable; entries reach it as streams
import { Readable } from 'node:stream';

/** The archive's bytes, read by offset: from its file, or (in tests) from memory. */
export interface ArchiveSource {
	readonly size: number;
	/** Up to `length` bytes from `position` (fewer at the end). */
	read(position: number, length: number): Promise<Buffer>;
	/** The bytes from `start` up to `end` (exclusive), as a stream. */
	stream(start: number, end: number): Readable;
	close(): Promise<void>;
}

/** Reads of this size keep a stream's memory small and the thread pool busy. */
const CHUNK = 256 * 1024;

export async function fileSource(path: string): Promise<ArchiveSource> {
	const handle = await open(path, 'r');
	const { size } = await handle.stat();
	const read = async (position: number, length: number) => {
		const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - position)));
		const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
		return buffer.subarray(0, bytesRead);
	};
	// Positioned reads on the one handle, so several entries may stream at once (a FileHandle's
	// own read streams close it when they end).
	async function* chunks(start: number, end: number): AsyncGenerator<Buffer> {
		for (let at = start; at < end; ) {
			const chunk = await read(at, Math.min(CHUNK, end - at));
			if (chunk.length === 0) return;
			yield chunk;
			at += chunk.length;
		}
	}
	return {
		size,
		read,
		stream: (start, end) => Readable.from(chunks(start, end), { objectMode: false }),
		close: async () => await handle.close(),
	};
}

export function bufferSource(bytes: Buffer): ArchiveSource {
	return {
		size: bytes.length,
		read: async (position, length) => bytes.subarray(position, position + length),
		stream: (start, end) => Readable.from(end > start ? [bytes.subarray(start, end)] : [], { objectMode: false }),
		close: async () => undefined,
	};
}
