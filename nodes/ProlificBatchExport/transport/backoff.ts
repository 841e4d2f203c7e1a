import { sleep } from 'n8n-workflow';

export const MAX_ATTEMPTS = 6;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
const RETRY_AFTER_CAP_MS = 120_000;
/** Longest single sleep, so a host whose sleep() ignores the signal still stops within it. */
const SLICE_MS = 250;

/** Exponential backoff with jitter, so parallel executions do not retry in lockstep. */
export function backoffDelay(attempt: number): number {
	const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
	return Math.round(ceiling * (0.5 + Math.random() / 2));
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const text = String(value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.min(Number(text) * 1000, RETRY_AFTER_CAP_MS);
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - now), RETRY_AFTER_CAP_MS);
}

export class CancelledError extends Error {
	constructor() {
		super('The execution was cancelled');
		this.name = 'CancelledError';
	}
}

/** The Timeout ran out while a request was in flight. */
export class DeadlineError extends Error {
	constructor() {
		super('The Timeout ran out during a request');
		this.name = 'DeadlineError';
	}
}

/** Waits, but gives up as soon as the execution is cancelled. */
export async function wait(ms: number, signal?: AbortSignal): Promise<void> {
	const end = Date.now() + ms;
	for (let left = ms; left > 0; left = end - Date.now()) {
		if (signal?.aborted) throw new CancelledError();
		// sleep() rejects with the abort reason on newer hosts; either way we stop below.
		await sleep(Math.min(left, SLICE_MS), signal).catch(() => undefined);
	}
	if (signal?.aborted) throw new CancelledError();
}
