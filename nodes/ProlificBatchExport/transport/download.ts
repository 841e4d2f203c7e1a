import { NodeOperationError } from 'n8n-workflow';

import { formatBytes, type ByteStream } from '../bytes';
import { ArchiveArrival, ArchiveChangedError, type RangeFetch } from './arrival';
import { backoffDelay, CancelledError, MAX_ATTEMPTS, wait } from './backoff';
import { NoRoomError, type TempArchive } from '../temp-archive';
import { BodyCutError, TooLargeError, writeBody } from './body';
import { cancelSignal, credentials, USER_AGENT, type Context, type FullResponse } from './context';
import { isTransientNetworkError, networkFailure } from './errors';

/** The storage host said the link is no longer valid: get a fresh one and try again. */
export class DownloadExpiredError extends Error {
	constructor(readonly statusCode: number) {
		super(`The download link was refused (HTTP ${statusCode})`);
		this.name = 'DownloadExpiredError';
	}
}

/** How messages name what is downloaded. */
export interface DownloadSubject {
	/** "export archive", as in "The export archive is 3 MiB or more…" */
	file: string;
	/** "export", as in "Downloading the export failed" */
	download: string;
	/** What to do after the storage host failed to deliver it. */
	retry: string;
}

const EXPORT_ARCHIVE: DownloadSubject = {
	file: 'export archive',
	download: 'export',
	retry: 'The storage host did not deliver the archive. Run the workflow again; the export itself is kept by Prolific.',
};

export interface DownloadOptions {
	maxBytes: number;
	itemIndex: number;
	/** Where the download goes: each attempt starts it afresh, or resumes it once it is being read. */
	file: TempArchive;
	/** The export archive unless said otherwise. */
	subject?: DownloadSubject;
	/** Told once the archive may be read while it downloads (see ArchiveArrival); never, if the host does not serve ranges. */
	arriving?: (arrival: ArchiveArrival) => void;
	/** A fresh link for a download being read already, whose link was refused on a resume. */
	refreshLink?: () => Promise<string | undefined>;
}

/** Smaller archives are read once downloaded: reading them early gains little and costs Range requests. */
const EARLY_MIN_BYTES = 8 * 1024 * 1024;
/** The archive's end, fetched first: the directory's end record and, for most exports, the whole directory. */
const TAIL_BYTES = 256 * 1024;

/** One download: what its attempts and Range requests share. */
interface Download {
	ctx: Context;
	/** the API's origin, where no download link may point */
	api: URL;
	options: DownloadOptions;
	subject: DownloadSubject;
	signal: AbortSignal;
	/** Set once the archive may be read early; it outlasts the attempt that set it. */
	arrival?: ArchiveArrival;
	/** Counts attempts: the end fetched for one that was cut is not used for the next. */
	attempt: number;
	ended: boolean;
}

const MAX_REDIRECTS = 5;
/** Fresh links asked for while an archive being read resumes; the lifecycle allows as many before it. */
const MAX_RESUME_REFRESHES = 2;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(url: URL): boolean {
	return LOOPBACK_HOSTS.has(url.hostname) || url.hostname.startsWith('127.');
}

/** A link the node will not fetch, with what it says to the user. */
class RefusedLinkError extends Error {}

/**
 * Downloads the archive (or the batch report) from the presigned URL. It goes out through n8n's plain request helper,
 * never the authenticated one: the token must not reach the storage host (and S3 refuses a
 * request carrying two auth mechanisms). Redirects are followed here, not by n8n, so every hop
 * is held to the same rule: HTTPS (plain HTTP only between loopback hosts, as in tests), and
 * never the API's own host.
 */
export async function downloadArchive(ctx: Context, url: string, options: DownloadOptions): Promise<number> {
	const { baseUrl } = await credentials(ctx);
	const api = new URL(baseUrl);
	const cancel = cancelSignal(ctx);
	const signal = cancel ? AbortSignal.any([cancel, options.file.signal]) : options.file.signal;
	const download: Download = { ctx, api, options, subject: options.subject ?? EXPORT_ARCHIVE, signal, attempt: 0, ended: false };
	const done = attempts(download, url).finally(() => (download.ended = true));
	// Whoever reads the archive meanwhile hears of a failure from the arrival.
	done.catch((error: unknown) => download.arrival?.fail(error));
	return await done;
}

async function attempts(download: Download, url: string): Promise<number> {
	const { ctx, options, subject, signal } = download;
	let link = url;
	let refreshes = 0;
	for (let attempt = 1; ; attempt++) {
		const failure = await downloadOnce(download, link)
			.then((size) => {
				const { arrival } = download;
				// Resumed bodies may come without a length: one that stops short was cut, not changed.
				if (arrival && size < arrival.size) throw new BodyCutError(`the connection closed ${formatBytes(arrival.size - size)} short of the end`);
				arrival?.complete(size);
				return { size };
			})
			.catch((error: unknown) => ({ error }));
		if ('size' in failure) return failure.size;
		const { error } = failure;
		if (signal.aborted) throw new CancelledError();
		if (error instanceof DownloadExpiredError && !download.arrival) throw error;
		if (error instanceof DownloadExpiredError && options.refreshLink && refreshes++ < MAX_RESUME_REFRESHES) {
			// Being read already, the archive resumes from a fresh link rather than starting over.
			const fresh = await options.refreshLink();
			if (fresh) {
				link = fresh;
				attempt--; // a fresh link is not another try of the old one
				continue;
			}
		}
		if (error instanceof DownloadExpiredError || error instanceof ArchiveChangedError) {
			throw new NodeOperationError(ctx.getNode(), `The ${subject.file} changed or became unavailable while it downloaded (${error.message})`, {
				description: 'Run the workflow again: the export itself is kept by Prolific, and its link is fetched afresh.',
				itemIndex: options.itemIndex,
			});
		}
		if (error instanceof RefusedLinkError) {
			throw new NodeOperationError(ctx.getNode(), error.message, {
				description:
					'The node only downloads exports over HTTPS from the storage host, so nobody on the way can read or change them. Run the node again; if it keeps happening, report it to Prolific support.',
				itemIndex: options.itemIndex,
			});
		}
		if (error instanceof TooLargeError) {
			throw new NodeOperationError(ctx.getNode(), error.message, {
				description: "Raise the node's 'Max Archive Size' option if this batch really is that large.",
				itemIndex: options.itemIndex,
			});
		}
		if (error instanceof NoRoomError) {
			throw new NodeOperationError(ctx.getNode(), error.message, {
				description:
					`The node keeps the ${subject.file} in the system's temporary directory while it reads it. Free space there, or point n8n's TMPDIR at a larger disk.`,
				itemIndex: options.itemIndex,
			});
		}
		const retryable =
			error instanceof HttpStatusError ? error.retryable : error instanceof BodyCutError || isTransientNetworkError(error);
		if (!retryable || attempt >= MAX_ATTEMPTS) throw downloadFailed(ctx, error, attempt, subject, options.itemIndex);
		await wait(backoffDelay(attempt - 1), signal);
	}
}

/** An unexpected status from the storage host; 429 and 5xx are worth another try. */
class HttpStatusError extends Error {
	readonly retryable: boolean;

	constructor(statusCode: number) {
		super(`HTTP ${statusCode}`);
		this.retryable = statusCode === 429 || statusCode >= 500;
	}
}

async function downloadOnce(download: Download, url: string): Promise<number> {
	const { api, options, subject, arrival } = download;
	const attempt = ++download.attempt;
	// An archive being read already resumes where the last attempt stopped: what is there stays.
	const from = arrival ? options.file.written : 0;
	const { response, target } = await follow(download, checkedLink(url, api, 'Prolific handed out a download link that'), from ? `bytes=${from}-` : undefined);
	const { statusCode, headers } = response;
	const body = response.body as ByteStream;
	if (statusCode === 206 && arrival) {
		const range = contentRange(headers['content-range']);
		if (range?.start !== from || range.size !== arrival.size) {
			body.destroy();
			throw new ArchiveChangedError(`asked for the rest from byte ${from}, the host answered with ${String(headers['content-range'])}`);
		}
		return await writeBody(body, headers['content-length'], options.maxBytes, options.file, { what: subject.file, from });
	}
	if (statusCode === 200) {
		const size = Number(headers['content-length']);
		// A host that ignores the range sends it all again: the same bytes, written over those there.
		return await writeBody(body, headers['content-length'], options.maxBytes, options.file, {
			what: subject.file,
			keep: !!arrival,
			onStart: arrival ? undefined : () => tryReadingEarly(download, target, size, attempt),
		});
	}
	body.destroy?.();
	if ([400, 401, 403, 404, 410].includes(statusCode)) throw new DownloadExpiredError(statusCode);
	throw new HttpStatusError(statusCode);
}

/**
 * Once the storage host answers a Range request for the archive's end with the size the download
 * announced, the archive may be read while the rest arrives (its entries are in the file before
 * the directory at its end would be): the caller hears of it through `options.arriving`.
 */
function tryReadingEarly(download: Download, target: URL, size: number, attempt: number): void {
	const { options } = download;
	if (!options.arriving || !Number.isSafeInteger(size) || size < EARLY_MIN_BYTES) return;
	const fetch: RangeFetch = async (start, end) => await fetchRange(download, target, start, end, size);
	const start = size - TAIL_BYTES;
	void fetch(start, size).then((bytes) => {
		// Too late once the attempt it was asked for was cut: the next one empties the file.
		if (!bytes || download.ended || download.arrival || download.attempt !== attempt) return;
		download.arrival = options.file.arrival = new ArchiveArrival(size, options.file, fetch, { start, bytes });
		options.arriving?.(download.arrival);
	});
}

/** Bytes `start` up to `end` of the archive (of `size` bytes), or undefined if the host does not serve exactly those. */
async function fetchRange(download: Download, target: URL, start: number, end: number, size: number): Promise<Buffer | undefined> {
	try {
		const { response } = await follow(download, target, `bytes=${start}-${end - 1}`);
		const body = response.body as ByteStream;
		const range = contentRange(response.headers['content-range']);
		if (response.statusCode !== 206 || range?.start !== start || range.end !== end - 1 || range.size !== size) {
			body.destroy();
			return undefined;
		}
		const chunks: Buffer[] = [];
		let length = 0;
		for await (const chunk of body) {
			length += chunk.length;
			if (length > end - start) {
				body.destroy();
				return undefined;
			}
			chunks.push(chunk);
		}
		return length === end - start ? Buffer.concat(chunks) : undefined;
	} catch {
		return undefined;
	}
}

/** `Content-Range: bytes 0-99/1234` */
function contentRange(header: unknown): { start: number; end: number; size: number } | undefined {
	const match = typeof header === 'string' ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim()) : null;
	return match ? { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) } : undefined;
}

/** GETs `link`, following redirects under the same rules; answers the last response and where it came from. */
async function follow({ ctx, api, signal }: Download, link: URL, range?: string): Promise<{ response: FullResponse; target: URL }> {
	let target = link;
	for (let hops = 0; ; hops++) {
		const response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url: target.toString(),
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: 60_000,
			// A ZIP gains nothing from transfer compression, and a decoded body no longer matches its
			// Content-Length; hosts that compress anyway are handled in writeBody.
			headers: { 'User-Agent': USER_AGENT, 'Accept-Encoding': 'identity', ...(range && { Range: range }) },
			abortSignal: signal,
		})) as FullResponse;
		const { statusCode, headers } = response;
		if (!REDIRECT_STATUSES.has(statusCode) || typeof headers.location !== 'string') return { response, target };
		(response.body as ByteStream).destroy?.();
		if (hops >= MAX_REDIRECTS) throw new RefusedLinkError(`The download link redirected more than ${MAX_REDIRECTS} times`);
		target = checkedLink(headers.location, api, 'The download link redirected to a link that', target);
	}
}

/** The link, if the node may fetch it; `from` resolves a relative redirect. */
function checkedLink(link: string, api: URL, what: string, from?: URL): URL {
	if (!URL.canParse(link, from?.href)) throw new RefusedLinkError(`${what} is not a valid URL`);
	const target = new URL(link, from);
	const httpAllowed = target.protocol === 'http:' && isLoopback(target) && isLoopback(api);
	if (target.protocol !== 'https:' && !httpAllowed) throw new RefusedLinkError(`${what} is not HTTPS`);
	// The API's host is where the token goes; an archive link has no business there.
	if (target.host === api.host) throw new RefusedLinkError(`${what} points at the Prolific API (${api.host}), not the storage host`);
	return target;
}

function downloadFailed(ctx: Context, error: unknown, attempts: number, subject: DownloadSubject, itemIndex: number): NodeOperationError {
	const reason = error instanceof HttpStatusError || error instanceof BodyCutError ? error.message : networkFailure(error);
	return new NodeOperationError(ctx.getNode(), `Downloading the ${subject.download} failed (${reason}${attempts > 1 ? `, ${attempts} attempts` : ''})`, {
		description: subject.retry,
		itemIndex,
	});
}
