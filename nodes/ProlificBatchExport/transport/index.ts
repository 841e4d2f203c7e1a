import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type JsonObject,
} from 'n8n-workflow';

import { backoffDelay, CancelledError, DeadlineError, MAX_ATTEMPTS, retryAfterMs, wait } from './backoff';
import { cancelSignal, credentials, CREDENTIAL_TYPE, USER_AGENT, type Context, type FullResponse } from './context';
import { isTimeout, isTransientNetworkError, networkFailure, prolificErrorText, redact } from './errors';

export { cancelSignal, CREDENTIAL_TYPE, USER_AGENT, type Context } from './context';

export interface ApiRequest {
	method: IHttpRequestMethods;
	path: string;
	qs?: IDataObject;
	/** What a 404 means for this call, e.g. "Batch 0192… not found". */
	notFound: string;
	/** What to do about that 404, when checking the ID is not all. */
	notFoundHint?: string;
	/** What a 403 means for this call, e.g. "No access to workspace Lab Pilot"; by default the batch's workspace. */
	forbidden?: string;
	itemIndex?: number;
	/** Epoch ms by which the call must be over: no retry waits past it, no request runs past it. */
	deadline?: number;
}

const REQUEST_TIMEOUT_MS = 60_000;
/** The least a request gets near the deadline: enough for an answer to arrive, at most this far past. */
const LAST_REQUEST_MS = 1_000;

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
		headers: { 'User-Agent': USER_AGENT, Accept: 'application/json' },
	};
	for (let attempt = 1; ; attempt++) {
		// A request in flight must not outlast the Timeout: its own limit is what is left of it.
		const left = request.deadline === undefined ? Infinity : request.deadline - Date.now();
		const timeout = Math.min(REQUEST_TIMEOUT_MS, Math.max(LAST_REQUEST_MS, left));
		const response = (await ctx.helpers.httpRequestWithAuthentication
			.call(ctx, CREDENTIAL_TYPE, { ...options, timeout })
			.catch((error: unknown) => ({ error }))) as FullResponse | { error: unknown };
		if ('error' in response) {
			const { error } = response;
			if (signal?.aborted) throw new CancelledError();
			if (timeout < REQUEST_TIMEOUT_MS && isTimeout(error)) throw new DeadlineError();
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
	} else if (statusCode === 403 && /not (been )?enabled|early.access/i.test(said ?? '')) {
		// Collections, for one, are an early-access feature Prolific enables per workspace.
		message = `${request.forbidden ?? 'No access to this batch’s workspace'}: the feature is not enabled there`;
		description = `${prolificSays}Prolific enables some features (collections among them) per workspace, on request. Ask Prolific support to enable it for the workspace, or use one where it is enabled.`;
		failure = { cause: 'configuration-invalid' };
	} else if (statusCode === 403) {
		message = request.forbidden ?? 'No access to this batch’s workspace';
		description = `${prolificSays}The token's account needs researcher access to the workspace. Ask a workspace admin to add you, or use a token of an account that has access.`;
		failure = { cause: 'configuration-invalid' };
	} else if (statusCode === 404) {
		message = request.notFound;
		description = `${prolificSays}${request.notFoundHint ?? "Check the ID, and that the token's account can see it in Prolific."}`;
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

export { downloadArchive, DownloadExpiredError, type DownloadSubject } from './download';
