// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- Node's own inflater: pako (jszip's) took 7x as long on an export's JSONL, on the main thread
import { crc32, inflateRaw } from 'node:zlib';

export type Inflated = { bytes: Buffer } | { tooLarge: true } | { damaged: string };

/**
 * Inflates a raw DEFLATE stream on libuv's thread pool, never past `limit` bytes (give or take one
 * chunk). `expected`, when the archive's headers are believable, sizes the output buffer so that
 * the whole entry inflates in one pass into one buffer.
 */
export async function inflateWithin(compressed: Uint8Array, limit: number, expected?: number): Promise<Inflated> {
	// One byte of room past the expected size lets zlib see the stream's end in the same pass. One
	// buffer, however large: chunks would be joined into a second copy (a large JSONL held twice).
	const chunkSize = expected === undefined ? undefined : Math.max(expected + 1, 64);
	return await new Promise((resolve) => {
		// zlib needs a limit of at least 1 byte; an empty entry's limit of 0 is checked below.
		inflateRaw(compressed, { maxOutputLength: Math.max(limit, 1), chunkSize }, (error, bytes) => {
			if (!error) resolve(bytes.length > limit ? { tooLarge: true } : { bytes });
			else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') resolve({ tooLarge: true });
			else resolve({ damaged: error.message });
		});
	});
}

/** The CRC-32 ZIP headers record for an entry's inflated bytes. */
export function checksum(bytes: Uint8Array): number {
	return crc32(bytes) >>> 0;
}
