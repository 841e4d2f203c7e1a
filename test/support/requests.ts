import type { ProlificEmulator, RecordedRequest } from '../emulator';

/** The paths and requests tests look for in what the emulator saw. */

export const EXPORT_PATH = (batchId: string) => `/api/v1/data-collection/batches/${batchId}/export`;

export const isExportRequest = (path: string) => (r: RecordedRequest) => r.origin === 'api' && r.method === 'POST' && r.path === path;

export const isStatusCheck = (path: string) => {
	const status = new RegExp(`^${path}/[^/]+$`);
	return (r: RecordedRequest) => r.origin === 'api' && r.method === 'GET' && status.test(r.path);
};

export const isDownload = (r: RecordedRequest) => r.origin === 'download';

/** The requests that reached the API, and those that reached the download host. */
export const apiRequests = (emulator: ProlificEmulator) => emulator.requests.filter((r) => r.origin === 'api');
export const downloads = (emulator: ProlificEmulator) => emulator.requests.filter(isDownload);

/** The API requests the emulator saw, as "METHOD /path" lines. */
export function apiCalls(emulator: ProlificEmulator): string[] {
	return apiRequests(emulator).map((r) => `${r.method} ${r.path}`);
}
