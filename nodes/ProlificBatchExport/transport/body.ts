import { formatBytes, type ByteStream } from '../bytes';
import { NoRoomError, type TempArchive } from '../temp-archive';

export class TooLargeError extends Error {}

/** The connection closed before the body was complete: worth another try. */
export class BodyCutError extends Error {}

/**
 * Writes a response body to the run's temporary file as it arrives, so memory holds one chunk
 * whatever the archive's size; the size limit is enforced on the bytes that actually arrive, and
 * a known Content-Length is checked against the limit and the free disk space before any is
 * written. Returns the number of bytes written.
 *
 * Node's HTTP parser stops at the Content-Length and reports a short body as an error, so a body
 * that ends cleanly at another length was decoded on the way (a host that gzips despite
 * `Accept-Encoding: identity`: n8n's client inflates it and drops the Content-Encoding header).
 * Such a body is kept as it is: the archive's own checks (central directory, CRC-32) judge it.
 */
export async function writeBody(stream: ByteStream, contentLength: unknown, maxBytes: number, file: TempArchive, what = 'export archive'): Promise<number> {
	const declared = Number(contentLength);
	const known = Number.isSafeInteger(declared) && declared >= 0;
	const tooLarge = (size: number) =>
		new TooLargeError(`The ${what} is ${formatBytes(size)} or more, over the limit of ${formatBytes(maxBytes)}`);
	const started = async () => {
		if (known && declared > maxBytes) throw tooLarge(declared);
		await file.reset(known ? declared : undefined);
	};
	// Reading starts before the checks, so a body cut meanwhile still counts what had arrived.
	const chunks = stream[Symbol.asyncIterator]();
	const first = chunks.next();
	await started().catch(async (error: unknown) => {
		stream.destroy();
		await first.catch(() => undefined);
		throw error;
	});
	let size = 0;
	const fill = async () => {
		for (let next = await first; !next.done; next = await chunks.next()) {
			const chunk = next.value;
			if (size + chunk.length > maxBytes) {
				stream.destroy();
				throw tooLarge(size + chunk.length);
			}
			await file.write(chunk, size);
			size += chunk.length;
		}
	};
	const failure = await fill().then(
		() => undefined,
		(error: unknown) => error,
	);
	if (failure instanceof TooLargeError || failure instanceof NoRoomError || (failure !== undefined && !known)) {
		stream.destroy();
		throw failure;
	}
	if (failure !== undefined) {
		throw new BodyCutError(`the connection closed after ${formatBytes(size)} of the ${formatBytes(declared)} announced`, { cause: failure });
	}
	return size;
}
