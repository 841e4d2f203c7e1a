import { formatBytes, type ByteStream } from '../bytes';

export class TooLargeError extends Error {}

/**
 * Reads a response body into one buffer. With a Content-Length the buffer is allocated once and
 * filled in place, so a large archive is never held twice; the size limit is enforced on the
 * bytes that actually arrive.
 */
export async function readBody(stream: ByteStream, contentLength: unknown, maxBytes: number): Promise<Buffer> {
	const declared = Number(contentLength);
	const known = Number.isSafeInteger(declared) && declared >= 0;
	const tooLarge = (size: number) =>
		new TooLargeError(`The export archive is ${formatBytes(size)} or more, over the limit of ${formatBytes(maxBytes)}`);
	if (known && declared > maxBytes) {
		stream.destroy();
		throw tooLarge(declared);
	}
	const target = known ? Buffer.allocUnsafe(declared) : undefined;
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of stream) {
		if (size + chunk.length > (known ? declared : maxBytes)) {
			stream.destroy();
			if (!known) throw tooLarge(size + chunk.length);
			throw Object.assign(new Error('more bytes than Content-Length announced'), { code: 'ECONNRESET' });
		}
		if (target) chunk.copy(target, size);
		else chunks.push(chunk);
		size += chunk.length;
	}
	if (target && size !== declared) {
		throw Object.assign(new Error(`body ended after ${size} of ${declared} bytes`), { code: 'ECONNRESET' });
	}
	return target ?? Buffer.concat(chunks, size);
}
