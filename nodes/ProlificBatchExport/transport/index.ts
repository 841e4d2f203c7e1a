import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type IPollFunctions,
	type JsonObject,
} from 'n8n-workflow';

import { backoffDelay, CancelledError, MAX_ATTEMPTS, retryAfterMs, wait } from './backoff';
import { isTransientNetworkError, networkFailure, prolificErrorText, redact } from './errors';
import type { ByteStream } from '../bytes';
import { readBody, TooLargeError } from './body';

export const CREDENTIAL_TYPE = 'prolificApi';
export const USER_AGENT = 'n8n-nodes-prolific/0.1.0';

export type Context = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

export interface ApiRequest {
	method: IHttpRequestMethods;
	path: string;
	qs?: IDataObject;
	/** What a 404 means for this call, e.g. "Batch 0192… not found". */
	notFound: string;
	itemIndex?: number;
	/** Epoch ms after which no retry may wait. */
	deadline?: number;
}

interface FullResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

interface ProlificCredentials {
	apiToken?: string;
	baseUrl?: string;
}

async function credentials(ctx: Context): Promise<{ token: string; baseUrl: string }> {
	const data = (await ctx.getCredentials(CREDENTIAL_TYPE)) as ProlificCredentials;
	const baseUrl = (data.baseUrl || 'https://api.prolific.com').trim().replace(/\/+$/, '');
	return { token: data.apiToken ?? '', baseUrl };
}

export function cancelSignal(ctx: Context): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal() : undefined;
}

/**
 * Every call to Prolific's API goes through here: authentication by n8n from the credential,
 * retries of 429 (honouring Retry-After), 5xx and broken connections with backoff, and errors
 * that say what happened and what to do, with the token scrubbed from all of them.
 */
export async function prolificApiRequest<T = IDataObject>(ctx: Context, request: ApiRequest): Promise<T> {
	const { token, baseUrl } = await credentials(ctx);
	const signal = cancelSignal(ctx);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl}${request.path}`,
		qs: request.qs,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// n8n re-adds the Authorization header on cross-origin redirects unless told not to.
		sendCredentialsOnCrossOriginRedirect: false,
		timeout: 60_000,
		headers: { 'User-Agent': USER_AGENT, Accept: 'application/json' },
	};
	for (let attempt = 1; ; attempt++) {
		const response = (await ctx.helpers.httpRequestWithAuthentication
			.call(ctx, CREDENTIAL_TYPE, { ...options })
			.catch((error: unknown) => ({ error }))) as FullResponse | { error: unknown };
		if ('error' in response) {
			const { error } = response;
			if (signal?.aborted) throw new CancelledError();
			const giveUp = () => unreachable(ctx, baseUrl, error, attempt, request.itemIndex);
			if (!isTransientNetworkError(error) || attempt >= MAX_ATTEMPTS) throw giveUp();
			await retryWait(backoffDelay(attempt - 1), request, signal, giveUp);
			continue;
		}
		const { statusCode } = response;
		if (statusCode >= 200 && statusCode < 300) return response.body as T;
		const retryable = statusCode === 429 || statusCode >= 500;
		if (!retryable || attempt >= MAX_ATTEMPTS) {
			throw apiError(ctx, response, request, token, attempt);
		}
		const delay =
			(statusCode === 429 ? retryAfterMs(response.headers['retry-after']) : undefined) ??
			backoffDelay(attempt - 1);
		await retryWait(delay, request, signal, () => apiError(ctx, response, request, token, attempt));
	}
}

async function retryWait(
	delay: number,
	request: ApiRequest,
	signal: AbortSignal | undefined,
	giveUp: () => Error,
): Promise<void> {
	if (request.deadline !== undefined && Date.now() + delay > request.deadline) throw giveUp();
	await wait(delay, signal);
}

function apiError(
	ctx: Context,
	response: FullResponse,
	request: ApiRequest,
	token: string,
	attempts: number,
): NodeApiError {
	const { statusCode } = response;
	const said = prolificErrorText(response.body);
	const prolificSays = said ? `Prolific says: "${redact(said, token)}". ` : '';
	const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
	let message: string;
	let description: string;
	let failure: IDataObject | undefined;
	if (statusCode === 401) {
		message = 'Prolific rejected the API token';
		description = `${prolificSays}Check the API Token in the Prolific API credential. If the token was deleted, create a new one in Prolific under Settings > API Tokens.`;
		failure = { cause: 'credential-invalid' };
	} else if (statusCode === 403) {
		message = 'No access to this batch’s workspace';
		description = `${prolificSays}The token's account needs researcher access to the workspace that owns the batch. Ask a workspace admin to add you, or use a token of an account that has access.`;
		failure = { cause: 'configuration-invalid' };
	} else if (statusCode === 404) {
		message = request.notFound;
		description = `${prolificSays}Check the ID, and that the token's account can see it in Prolific.`;
		failure = { cause: 'configuration-invalid' };
	} else if (statusCode === 429) {
		message = `Prolific is rate limiting requests${tries}`;
		description = `${prolificSays}Wait a few minutes before running again, or run this workflow less often.`;
		failure = { cause: 'rate-limited' };
	} else if (statusCode >= 500) {
		message = `Prolific answered with a server error (HTTP ${statusCode})${tries}`;
		description = `${prolificSays}Prolific may be having an outage. Run the workflow again later.`;
		failure = { cause: 'temporarily-unavailable' };
	} else {
		message = `Prolific refused the request (HTTP ${statusCode})`;
		description = `${prolificSays}Check the node's parameters and options.`;
	}
	return new NodeApiError(
		ctx.getNode(),
		{ message, description, httpCode: String(statusCode) } as JsonObject,
		{ message, description, httpCode: String(statusCode), itemIndex: request.itemIndex, failure } as never,
	);
}

function unreachable(
	ctx: Context,
	baseUrl: string,
	error: unknown,
	attempts: number,
	itemIndex?: number,
): NodeOperationError {
	const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
	return new NodeOperationError(ctx.getNode(), `Could not reach Prolific at ${baseUrl} (${networkFailure(error)})${tries}`, {
		description:
			'Check the Base URL in the Prolific API credential and that this n8n instance can reach it. If it worked before, the connection was cut: run the workflow again.',
		itemIndex,
	});
}

/** The storage host said the link is no longer valid: get a fresh one and try again. */
export class DownloadExpiredError extends Error {
	constructor(readonly statusCode: number) {
		super(`The download link was refused (HTTP ${statusCode})`);
		this.name = 'DownloadExpiredError';
	}
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(url: URL): boolean {
	return LOOPBACK_HOSTS.has(url.hostname) || url.hostname.startsWith('127.');
}

export interface DownloadOptions {
	maxBytes: number;
	itemIndex: number;
}

/**
 * Downloads the archive from the presigned URL. It goes out through n8n's plain request helper,
 * never the authenticated one: the token must not reach the storage host (and S3 refuses a
 * request carrying two auth mechanisms). Plain HTTP is refused unless the API itself is on this
 * machine, as it is in tests.
 */
export async function downloadArchive(
	ctx: Context,
	url: string,
	options: DownloadOptions,
): Promise<Buffer> {
	const { baseUrl } = await credentials(ctx);
	const target = parseDownloadUrl(ctx, url, baseUrl, options.itemIndex);
	const signal = cancelSignal(ctx);
	for (let attempt = 1; ; attempt++) {
		const failure = await downloadOnce(ctx, target, options.maxBytes, signal).then(
			(archive) => ({ archive }),
			(error: unknown) => ({ error }),
		);
		if ('archive' in failure) return failure.archive;
		const { error } = failure;
		if (signal?.aborted) throw new CancelledError();
		if (error instanceof DownloadExpiredError) throw error;
		if (error instanceof TooLargeError) {
			throw new NodeOperationError(ctx.getNode(), error.message, {
				description: "Raise the node's 'Max Archive Size' option if this batch really is that large.",
				itemIndex: options.itemIndex,
			});
		}
		const retryable = error instanceof HttpStatusError ? error.retryable : isTransientNetworkError(error);
		if (!retryable || attempt >= MAX_ATTEMPTS) throw downloadFailed(ctx, error, attempt, options);
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
	target: URL,
	maxBytes: number,
	signal: AbortSignal | undefined,
): Promise<Buffer> {
	const response = (await ctx.helpers.httpRequest({
		method: 'GET',
		url: target.toString(),
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: 60_000,
		headers: { 'User-Agent': USER_AGENT },
		abortSignal: signal,
	})) as FullResponse;
	const body = response.body as ByteStream;
	if (response.statusCode === 200) return await readBody(body, response.headers['content-length'], maxBytes);
	body.destroy?.();
	if ([400, 401, 403, 404, 410].includes(response.statusCode)) throw new DownloadExpiredError(response.statusCode);
	throw new HttpStatusError(response.statusCode);
}

function parseDownloadUrl(ctx: Context, url: string, baseUrl: string, itemIndex: number): URL {
	let target: URL | undefined;
	try {
		target = new URL(url);
	} catch {
		target = undefined;
	}
	const base = new URL(baseUrl);
	const httpAllowed = target?.protocol === 'http:' && isLoopback(target) && isLoopback(base);
	if (!target || (target.protocol !== 'https:' && !httpAllowed)) {
		throw new NodeOperationError(ctx.getNode(), 'Prolific handed out a download link that is not HTTPS', {
			description:
				'The node only downloads exports over HTTPS, so nobody on the way can read or change them. Run the node again; if it keeps happening, report it to Prolific support.',
			itemIndex,
		});
	}
	return target;
}

function downloadFailed(
	ctx: Context,
	error: unknown,
	attempts: number,
	options: DownloadOptions,
): NodeOperationError {
	const reason = error instanceof HttpStatusError ? error.message : networkFailure(error);
	return new NodeOperationError(
		ctx.getNode(),
		`Downloading the export failed (${reason}${attempts > 1 ? `, ${attempts} attempts` : ''})`,
		{
			description: 'The storage host did not deliver the archive. Run the workflow again; the export itself is kept by Prolific.',
			itemIndex: options.itemIndex,
		},
	);
}
