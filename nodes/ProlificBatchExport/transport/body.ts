import { formatBytes, type ByteStream } from '../bytes';
import { NoRoomError, type TempArchive } from '../temp-archive';

export class TooLargeError extends Error {}

const WRITE_BYTES = 1024 * 1024;

export interface BodyOptions {
	what?: string;
	/** Where in the file this body goes: the rest of an archive, after a cut. */
	from?: number;
	/** The file holds bytes being read already: it is written over, never emptied. */
	keep?: boolean;
	/** Told once the body passed the size and disk checks and is being written. */
	onStart?: () => void;
}

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
 *
 * `what` names the file in messages.
 */
export async function writeBody(
	stream: ByteStream,
	contentLength: unknown,
	maxBytes: number,
	file: TempArchive,
	{ what = 'export archive', from = 0, keep = from > 0, onStart }: BodyOptions = {},
): Promise<number> {
	const declared = Number(contentLength);
	const known = Number.isSafeInteger(declared) && declared >= 0;
	const tooLarge = (size: number) =>
		new TooLargeError(`The ${what} is ${formatBytes(size)} or more, over the limit of ${formatBytes(maxBytes)}`);
	const started = async () => {
		if (known && from + declared > maxBytes) throw tooLarge(from + declared);
		if (!keep) await file.reset(known ? declared : undefined);
		onStart?.();
	};
	// Reading starts before the checks, so a body cut meanwhile still counts what had arrived.
	const chunks = stream[Symbol.asyncIterator]();
	const first = chunks.next();
	await started().catch(async (error: unknown) => {
		stream.destroy();
		await first.catch(() => undefined);
		throw error;
	});
	let size = from;
	// Chunks are gathered into writes of about WRITE_BYTES, one under way while the next gathers:
	// a write per network chunk (16-64 KiB) cost more than the download itself.
	let batch: Buffer[] = [];
	let batchAt = from;
	let writing: Promise<void> = Promise.resolve();
	const flush = async () => {
		await writing;
		writing = file.write(batch, batchAt);
		// Handled here too: a failure while the body is still being read is thrown at the next flush, or dropped with the body's own.
		writing.catch(() => undefined);
		batch = [];
		batchAt = size;
	};
	const fill = async () => {
		for (let next = await first; !next.done; next = await chunks.next()) {
			const chunk = next.value;
			if (size + chunk.length > maxBytes) {
				stream.destroy();
				throw tooLarge(size + chunk.length);
			}
			batch.push(chunk);
			size += chunk.length;
			if (size - batchAt >= WRITE_BYTES) await flush();
		}
		await flush();
		await writing;
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
		throw new BodyCutError(`the connection closed after ${formatBytes(size - from)} of the ${formatBytes(declared)} announced`, { cause: failure });
	}
	return size;
}
