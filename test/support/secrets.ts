import type { RecordedRequest } from '../emulator';
import type { RunResult } from '../harness';

/**
 * Sweeps for a secret: every string (and every byte buffer) reachable from a value, own
 * properties enumerable or not, so an error's message, stack, description and cause are all
 * looked at. Returns where the secret was found, as property paths.
 */
export function findSecret(value: unknown, secret: string, root = '$'): string[] {
	const found: string[] = [];
	const seen = new Set<object>();
	const visit = (current: unknown, path: string, depth: number): void => {
		if (typeof current === 'string') {
			if (current.includes(secret)) found.push(path);
			return;
		}
		if (typeof current !== 'object' || current === null || depth > 30 || seen.has(current)) return;
		seen.add(current);
		if (Buffer.isBuffer(current) || current instanceof Uint8Array) {
			if (Buffer.from(current.buffer, current.byteOffset, current.byteLength).includes(secret)) found.push(path);
			return;
		}
		if (current instanceof Map) {
			for (const [key, entry] of current) visit(entry, `${path}.get(${String(key)})`, depth + 1);
			return;
		}
		for (const key of Object.getOwnPropertyNames(current)) {
			if (key.includes(secret)) found.push(`${path}[key ${JSON.stringify(key)}]`);
			let entry: unknown;
			try {
				entry = (current as Record<string, unknown>)[key];
			} catch {
				continue; // a throwing getter holds nothing to leak
			}
			visit(entry, `${path}.${key}`, depth + 1);
		}
	};
	visit(value, root, 0);
	return found;
}

/** Where a run's output, error and error items mention the secret. */
export function secretInRun(run: RunResult, secret: string): string[] {
	return [...findSecret(run.items, secret, 'items'), ...findSecret(run.error, secret, 'error')];
}

/**
 * Where the emulator's request log mentions the secret, other than the one place it belongs:
 * the Authorization header of requests to the API origin.
 */
export function secretInRequests(requests: RecordedRequest[], secret: string): string[] {
	return requests.flatMap((request, index) => {
		const { headers, ...rest } = request;
		const allowed = request.origin === 'api' ? { ...headers, authorization: undefined } : headers;
		return [
			...findSecret(rest, secret, `requests[${index}]`),
			...findSecret(allowed, secret, `requests[${index}].headers`),
		];
	});
}

/** Credentials of any kind that reached the storage host: it must only ever see a presigned URL. */
export function credentialsAtDownload(requests: RecordedRequest[], secret: string): string[] {
	return requests
		.filter((request) => request.origin === 'download')
		.flatMap((request, index) => [
			...Object.keys(request.headers)
				.filter((name) => /^(authorization|proxy-authorization|cookie)$/i.test(name))
				.map((name) => `download request ${index}: ${name} header`),
			...findSecret(request, secret, `download request ${index}`),
		]);
}
