import { NodeApiError, type IDataObject } from 'n8n-workflow';

/** Prolific's error bodies: `{error: {title, detail, ...}}`, or a bare `{detail}` / `{message}`. */
export function prolificErrorText(body: unknown): string | undefined {
	if (typeof body === 'string') return body.trim().slice(0, 500) || undefined;
	if (typeof body !== 'object' || body === null) return undefined;
	const envelope = (body as IDataObject).error;
	const source = (typeof envelope === 'object' && envelope !== null ? envelope : body) as IDataObject;
	const parts = [source.title, detailText(source.detail), source.message, source.additional_information]
		.filter((part): part is string => typeof part === 'string' && part.trim() !== '')
		.map((part) => part.trim().replace(/\.$/, ''));
	return parts.length ? [...new Set(parts)].join(': ') : undefined;
}

function detailText(detail: unknown): string | undefined {
	if (typeof detail === 'string') return detail;
	if (Array.isArray(detail)) return detail.map(String).join('; ');
	if (typeof detail === 'object' && detail !== null) {
		return Object.entries(detail)
			.map(([field, messages]) => `${field}: ${Array.isArray(messages) ? messages.join(', ') : String(messages)}`)
			.join('; ');
	}
	return undefined;
}

/** Removes the token from any text that may leave the node: errors, items, logs. */
export function redact(text: string, secret: string | undefined): string {
	if (!secret) return text;
	return text.split(secret).join('[redacted]');
}

/** Network failures worth another try: the connection broke, or nothing came back in time. */
const TRANSIENT_CODES = new Set([
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'EAI_AGAIN',
	'ERR_STREAM_PREMATURE_CLOSE',
	'UND_ERR_SOCKET',
]);

function networkErrorCode(error: unknown): string | undefined {
	const chain: Array<{ code?: unknown; message?: unknown }> = [];
	for (let current: unknown = error; chain.length < 5 && typeof current === 'object' && current !== null; ) {
		chain.push(current as { code?: unknown; message?: unknown });
		current = (current as { cause?: unknown }).cause;
	}
	// A known network code anywhere in the chain beats wording: n8n wraps a timeout (ECONNABORTED)
	// as "The connection was aborted", and a cut body as ERR_BAD_RESPONSE "stream has been aborted".
	const codes = chain.map(({ code }) => code).filter((code): code is string => typeof code === 'string');
	const known = codes.find((code) => code in NETWORK_WORDS);
	if (known) return known;
	if (chain.some(({ message }) => typeof message === 'string' && /socket hang up|aborted/i.test(message))) return 'ECONNRESET';
	return codes.find((code) => /^E[A-Z_]+$|^UND_/.test(code));
}

/** Prolific answered 404: the export job (or whatever was asked about) is not there, or no longer. */
export function isNotFound(error: unknown): boolean {
	return error instanceof NodeApiError && error.httpCode === '404';
}

/** The request's own time limit ran out (n8n's `timeout`). */
export function isTimeout(error: unknown): boolean {
	const code = networkErrorCode(error);
	return code === 'ECONNABORTED' || code === 'ETIMEDOUT';
}

/**
 * Plain words for a network failure. Error codes stay out of messages: n8n swaps a message
 * that mentions one for its own generic text, which would hide which host failed.
 */
export function networkFailure(error: unknown): string {
	const code = networkErrorCode(error);
	return (code && NETWORK_WORDS[code]) ?? 'network error';
}

const NETWORK_WORDS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	ECONNABORTED: 'connection aborted',
	ETIMEDOUT: 'no answer in time',
	EPIPE: 'connection broken',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'name lookup failed',
	EHOSTUNREACH: 'host unreachable',
	ERR_STREAM_PREMATURE_CLOSE: 'connection closed early',
	UND_ERR_SOCKET: 'connection broken',
};

export function isTransientNetworkError(error: unknown): boolean {
	const code = networkErrorCode(error);
	return code !== undefined && TRANSIENT_CODES.has(code);
}
