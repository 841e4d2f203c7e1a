// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- Node's own inflater: pako (jszip's) took 7x as long on an export's JSONL, on the main thread
import { crc32 as zlibCrc32, createInflateRaw } from 'node:zlib';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- entries inflate as streams, chunk by chunk
import type { Transform } from 'node:stream';

/** Output chunks this large keep the per-chunk cost (checks, CRC, writes) small next to the work. */
const CHUNK = 1024 * 1024;

/**
 * An inflater for a raw DEFLATE stream, on libuv's thread pool. The reader counts and
 * checks what comes out; a damaged stream fails with a zlib error (see isZlibError).
 */
export function inflating(): Transform {
	return createInflateRaw({ chunkSize: CHUNK });
}

/** zlib's own errors (Z_DATA_ERROR, Z_BUF_ERROR ...): the compressed bytes are damaged. */
export function isZlibError(error: unknown): error is Error {
	return error instanceof Error && /^Z_/.test(String((error as NodeJS.ErrnoException).code));
}

/** The CRC-32 ZIP headers record for an entry's inflated bytes, continued over chunks. */
export function crc32(bytes: Uint8Array, previous = 0): number {
	return zlibCrc32(bytes, previous) >>> 0;
}
