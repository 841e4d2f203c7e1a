import { formatBytes, type ByteStream } from '../bytes';

export class TooLargeError extends Error {}

/** The connection closed before the body was complete: worth another try. */
export class BodyCutError extends Error {}

/**
 * Reads a response body into one buffer. With a Content-Length the buffer is allocated once and
 * filled in place, so a large archive is never held twice; the size limit is enforced on the
 * bytes that actually arrive.
 *
 * Node's HTTP parser stops at the Content-Length and reports a short body as an error, so a body
 * that ends cleanly at another length was decoded on the way (a host that gzips despite
 * `Accept-Encoding: identity`: n8n's client inflates it and drops the Content-Encoding header).
 * Such a body is kept as it is: the archive's own checks (central directory, CRC-32) judge it.
 */
export async function readBody(stream: ByteStream, contentLength: unknown, maxBytes: number, what = 'export archive'): Promise<Buffer> {
	const declared = Number(contentLength);
	const known = Number.isSafeInteger(declared) && declared >= 0;
	const tooLarge = (size: number) =>
		new TooLargeError(`The ${what} is ${formatBytes(size)} or more, over the limit of ${formatBytes(maxBytes)}`);
	if (known && declared > maxBytes) {
		stream.destroy();
		throw tooLarge(declared);
	}
	let target = known ? Buffer.allocUnsafe(declared) : undefined;
	const chunks: Buffer[] = [];
	let size = 0;
	const fill = async () => {
		for await (const chunk of stream) {
			if (size + chunk.length > maxBytes) {
				stream.destroy();
				throw tooLarge(size + chunk.length);
			}
			if (target && size + chunk.length > target.length) {
				chunks.push(target.subarray(0, size));
				target = undefined;
			}
			if (target) chunk.copy(target, size);
			else chunks.push(chunk);
			size += chunk.length;
		}
	};
	const failure = await fill().then(
		() => undefined,
		(error: unknown) => error,
	);
	if (failure instanceof TooLargeError || (failure !== undefined && !known)) throw failure;
	if (failure !== undefined) {
		throw new BodyCutError(`the connection closed after ${formatBytes(size)} of the ${formatBytes(declared)} announced`, { cause: failure });
	}
	return target ? target.subarray(0, size) : Buffer.concat(chunks, size);
}
