// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- Node's own inflater: pako (jszip's) took 7x as long on an export's JSONL, on the main thread
import { crc32 as zlibCrc32, createInflateRaw } from 'node:zlib';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- entries inflate as streams, chunk by chunk
import type { Transform } from 'node:stream';

/** Output chunks this large keep the per-chunk cost (checks, CRC, writes) small next to the work. */
const CHUNK = 1024 * 1024;
/** zlib's smallest output chunk. */
const MIN_CHUNK = 64;

/**
 * An inflater for a raw DEFLATE stream of `size` inflated bytes, on libuv's thread pool. The
 * reader counts and checks what comes out; a damaged stream fails with a zlib error (see
 * isZlibError). Its output buffer fits the entry (one byte over, so zlib never allocates a second
 * for an entry that fills it): a MiB for each of thousands of small uploads was most of the memory
 * the garbage collector had to chase.
 */
export function inflating(size: number): Transform {
	return createInflateRaw({ chunkSize: Math.max(MIN_CHUNK, Math.min(CHUNK, size + 1)) });
}

/** zlib's own errors (Z_DATA_ERROR, Z_BUF_ERROR ...): the compressed bytes are damaged. */
export function isZlibError(error: unknown): error is Error {
	return error instanceof Error && /^Z_/.test(String((error as NodeJS.ErrnoException).code));
}

/** The CRC-32 ZIP headers record for an entry's inflated bytes, continued over chunks. */
export function crc32(bytes: Uint8Array, previous = 0): number {
	return zlibCrc32(bytes, previous) >>> 0;
}
