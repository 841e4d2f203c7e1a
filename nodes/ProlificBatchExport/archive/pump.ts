// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- a DEFLATE entry is fed to its inflater chunk by chunk
import type { Writable } from 'node:stream';

import { UnreadableZipError } from './directory';
import type { ArchiveSource } from './source';

const CHUNK = 1024 * 1024;
/** Enough for the entries that inflate at once (eight, two reads each) to reuse their buffers. */
const POOL_MAX = 16;

/**
 * Buffers for an archive's compressed reads, reused: zlib has copied a chunk in once its write
 * calls back. Each read of a fresh buffer was memory the collector had to find again, and on Node 24
 * the stream of short-lived buffers set off a full collection every ~100 ms.
 */
export class ReadBuffers {
	private readonly free: Buffer[] = [];

	take(): Buffer {
		return this.free.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
	}

	give(buffer: Buffer): void {
		if (this.free.length < POOL_MAX) this.free.push(buffer);
	}
}

/**
 * Feeds the compressed bytes from `start` up to `end` into `inflater`, reading the next chunk
 * while the last inflates, and ends it. Stops quietly once `stopped()` (the entry's stream was
 * closed); a read or write failure rejects.
 */
export async function pump(source: ArchiveSource, start: number, end: number, inflater: Writable, buffers: ReadBuffers, stopped: () => boolean): Promise<void> {
	const read = async (position: number) => {
		const buffer = buffers.take();
		const length = await source.readInto(buffer.length > end - position ? buffer.subarray(0, end - position) : buffer, position);
		if (length === 0) throw new UnreadableZipError('an entry runs past the end of the archive');
		return { buffer, length };
	};
	let next = start < end ? read(start) : undefined;
	try {
		for (let position = start; next && !stopped(); ) {
			const { buffer, length } = await next;
			position += length;
			next = position < end ? read(position) : undefined;
			await new Promise<void>((resolve, reject) => inflater.write(buffer.subarray(0, length), (error) => (error ? reject(error) : resolve())));
			buffers.give(buffer);
		}
	} finally {
		// A read still under way when the entry stopped or failed is left to finish, its outcome unheard.
		next?.catch(() => undefined);
	}
	if (!stopped()) inflater.end();
}
