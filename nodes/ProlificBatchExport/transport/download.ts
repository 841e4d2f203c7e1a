import { NodeOperationError } from 'n8n-workflow';

import type { ByteStream } from '../bytes';
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
	/** Where the download goes; each attempt starts it afresh. */
	file: TempArchive;
	/** The export archive unless said otherwise. */
	subject?: DownloadSubject;
}

const MAX_REDIRECTS = 5;
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
	const signal = cancelSignal(ctx);
	const subject = options.subject ?? EXPORT_ARCHIVE;
	for (let attempt = 1; ; attempt++) {
		const failure = await downloadOnce(ctx, url, api, options, subject, signal).then(
			(size) => ({ size }),
			(error: unknown) => ({ error }),
		);
		if ('size' in failure) return failure.size;
		const { error } = failure;
		if (signal?.aborted) throw new CancelledError();
		if (error instanceof DownloadExpiredError) throw error;
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

async function downloadOnce(
	ctx: Context,
	url: string,
	api: URL,
	options: DownloadOptions,
	subject: DownloadSubject,
	signal: AbortSignal | undefined,
): Promise<number> {
	let target = checkedLink(url, api, 'Prolific handed out a download link that');
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
			headers: { 'User-Agent': USER_AGENT, 'Accept-Encoding': 'identity' },
			abortSignal: signal,
		})) as FullResponse;
		const { statusCode, headers } = response;
		const body = response.body as ByteStream;
		if (statusCode === 200) return await writeBody(body, headers['content-length'], options.maxBytes, options.file, subject.file);
		body.destroy?.();
		if (REDIRECT_STATUSES.has(statusCode) && typeof headers.location === 'string') {
			if (hops >= MAX_REDIRECTS) throw new RefusedLinkError(`The download link redirected more than ${MAX_REDIRECTS} times`);
			target = checkedLink(headers.location, api, 'The download link redirected to a link that', target);
			continue;
		}
		if ([400, 401, 403, 404, 410].includes(statusCode)) throw new DownloadExpiredError(statusCode);
		throw new HttpStatusError(statusCode);
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
