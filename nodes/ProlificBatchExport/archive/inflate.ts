// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- Node's own inflater: pako (jszip's) took 7x as long on an export's JSONL, on the main thread
import { crc32 as zlibCrc32, createInflateRaw } from 'node:zlib';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- entries inflate as streams, chunk by chunk
import { pipeline, type Readable } from 'node:stream';

/** Output chunks this large keep the per-chunk cost (checks, CRC, writes) small next to the work. */
const CHUNK = 256 * 1024;

/**
 * A raw DEFLATE stream inflated as it is read, on libuv's thread pool. The reader counts and
 * checks what comes out; a damaged stream fails with a zlib error (see isZlibError).
 */
export function inflating(raw: Readable): Readable {
	return pipeline(raw, createInflateRaw({ chunkSize: CHUNK }), () => undefined);
}

/** zlib's own errors (Z_DATA_ERROR, Z_BUF_ERROR ...): the compressed bytes are damaged. */
export function isZlibError(error: unknown): error is Error {
	return error instanceof Error && /^Z_/.test(String((error as NodeJS.ErrnoException).code));
}

/** The CRC-32 ZIP headers record for an entry's inflated bytes, continued over chunks. */
export function crc32(bytes: Uint8Array, previous = 0): number {
	return zlibCrc32(bytes, previous) >>> 0;
}
