import { STATUS_CODES } from 'node:http';

import type { ArchiveFile } from './store';

/** A finished answer; the server decides how (and whether) it reaches the client. */
export interface Reply {
	status: number;
	headers: Record<string, string>;
	body: Buffer;
	/** served from disk instead of `body` */
	file?: ArchiveFile;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
	return { status, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(JSON.stringify(value)) };
}

export function noContent(): Reply {
	return { status: 204, headers: {}, body: Buffer.alloc(0) };
}

const TITLES: Record<number, string> = { 401: 'Not authenticated', 403: 'Permission denied' };
const DETAILS: Record<number, string> = {
	400: 'Invalid request.',
	401: 'Invalid token.',
	403: 'You do not have permission to perform this action.',
	404: 'Not found.',
	409: 'The request conflicts with the current state of the resource.',
	429: 'Request was throttled.',
	500: 'A server error occurred.',
	502: 'The upstream server returned an invalid response.',
	503: 'The service is temporarily unavailable.',
};

/** Prolific's error envelope. The error codes are invented but stable: 1401xx for 4xx, 1500xx for 5xx. */
export function apiError(status: number, detail?: unknown, title?: string, headers: Record<string, string> = {}): Reply {
	const error_code = status < 500 ? 140100 + (status - 400) : 150000 + (status - 500);
	return json(status, {
		error: {
			status,
			error_code,
			title: title ?? TITLES[status] ?? STATUS_CODES[status] ?? 'Error',
			detail: detail ?? DETAILS[status] ?? STATUS_CODES[status] ?? 'Error',
		},
	}, headers);
}

const S3_CODES: Record<number, [string, string]> = {
	400: ['InvalidArgument', 'Invalid Argument'],
	403: ['AccessDenied', 'Access Denied'],
	404: ['NoSuchKey', 'The specified key does not exist.'],
	500: ['InternalError', 'We encountered an internal error. Please try again.'],
	503: ['SlowDown', 'Please reduce your request rate.'],
};

/** The XML error document S3 answers presigned downloads with. */
export function s3Error(status: number, code?: string, message?: string): Reply {
	const fallback: [string, string] = [status < 500 ? 'InvalidRequest' : 'InternalError', STATUS_CODES[status] ?? 'Error'];
	const [defaultCode, defaultMessage] = S3_CODES[status] ?? fallback;
	const xml =
		'<?xml version="1.0" encoding="UTF-8"?>\n' +
		`<Error><Code>${code ?? defaultCode}</Code><Message>${message ?? defaultMessage}</Message>` +
		'<RequestId>EMU0000000000000</RequestId></Error>';
	return { status, headers: { 'content-type': 'application/xml' }, body: Buffer.from(xml) };
}
