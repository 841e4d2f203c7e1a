import type { BatchSpec } from './archive-builder';
import type { FaultQueue, Route } from './faults';
import { apiError, json, noContent, type Reply } from './replies';
import type { ExportFilter, Store } from './store';
import { SAMPLE_USER } from '../fixtures/sample-batch';

/** The emulator's knobs, readable at every request so tests can change them between calls. */
export interface Settings {
	behaviour: 'A' | 'B';
	pollsUntilComplete: number;
	urlTtlSeconds: number;
	tokens: string[];
	maxJobsPerBatch: number;
	/** Behaviour B: a server that accepts `study_id` / `from` / `to` and applies none (the job's filter stays null). */
	ignoreFilters: boolean;
	/** The status a job being built reports: 'generating' as documented, or another word a server may use ('queued', 'PROCESSING'). */
	inProgressStatus: string;
	/** The most records a list answers at once, whatever `limit` asks (servers cap page sizes). */
	maxPageSize: number;
	/** A list endpoint that ignores `offset` and answers the first page every time. */
	ignoreOffset: boolean;
	/** How far the API's clock is from this machine's, in seconds: expires_at and the storage host's check use it (-3600: this machine runs an hour fast). */
	clockOffsetSeconds: number;
	/** The storage host answers Range requests (206), as S3 does; false: it ignores them and sends it all (200). */
	servesRanges: boolean;
	/** The storage host's bandwidth per download, bytes per second (0: as fast as it goes): a host across a network, not on this machine. */
	downloadBytesPerSecond: number;
}

export interface Context {
	settings: Settings;
	store: Store;
	faults: FaultQueue;
	downloadOrigin: string;
}

export interface Incoming {
	method: string;
	path: string;
	query: Record<string, string>;
	headers: Record<string, string>;
}

/** `route` is undefined when the path exists but the method does not (405). */
export interface Match {
	route?: Route;
	/** which family of paths matched: a batch's or a collection's */
	kind?: 'batch' | 'collection';
	batchId?: string;
	exportId?: string;
}

export const FORBIDDEN_DETAIL = "You do not have access to this batch's workspace.";

const ROUTES: [RegExp, Partial<Record<string, Route>>][] = [
	[/^\/api\/v1\/users\/me$/, { GET: 'me' }],
	[/^\/api\/v1\/workspaces$/, { GET: 'workspaces' }],
	[/^\/api\/v1\/data-collection\/batches$/, { GET: 'batches' }],
	[/^\/api\/v1\/data-collection\/collections$/, { GET: 'collections' }],
	[/^\/api\/v1\/data-collection\/batches\/([^/]+)$/, { GET: 'batch' }],
	[/^\/api\/v1\/data-collection\/batches\/([^/]+)\/report$/, { GET: 'report' }],
	// Collections export through the same flow as batches, under their own paths.
	[/^\/api\/v1\/data-collection\/(?:batches|collections)\/([^/]+)\/export$/, { POST: 'export.request', GET: 'export.list' }],
	[/^\/api\/v1\/data-collection\/(?:batches|collections)\/([^/]+)\/export\/([^/]+)$/, { GET: 'export.status', DELETE: 'export.delete' }],
];

export function matchApi(method: string, path: string): Match | undefined {
	const trimmed = path.replace(/\/+$/, ''); // the trailing slash is optional everywhere
	for (const [pattern, methods] of ROUTES) {
		const m = pattern.exec(trimmed);
		if (m) {
			const kind = trimmed.includes('/collections/') ? 'collection' : 'batch';
			return { route: methods[method], kind, batchId: m[1], exportId: m[2] };
		}
	}
	return undefined;
}

// Like Django REST framework: an unknown path is 404 before auth, a wrong method is 405 after it.
export function handleApi(ctx: Context, req: Incoming, match: Match | undefined): Reply {
	if (!match) return apiError(404, 'Not found.');
	const token = /^token\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
	if (!token || !ctx.settings.tokens.includes(token)) return apiError(401, undefined, undefined, { 'www-authenticate': 'Token' });
	const { route, batchId = '', exportId = '' } = match;
	const notAllowed = apiError(405, `Method "${req.method}" not allowed.`, 'Method not allowed');
	if (route === undefined) return notAllowed;
	if (route === 'me') return json(200, SAMPLE_USER);
	if (route === 'workspaces') return json(200, page(ctx.settings, ctx.store.workspaces, req.query));
	if (route === 'batches') return listBatches(ctx, req.query);
	if (route === 'collections') return listCollections(ctx, req.query);

	const entry = ctx.store.batches.get(batchId);
	if (!entry || (entry.kind ?? 'batch') !== (match.kind ?? 'batch')) {
		return apiError(404, match.kind === 'collection' ? 'Collection not found.' : 'Batch not found.');
	}
	if (entry.forbidden) return apiError(403, FORBIDDEN_DETAIL);
	if (route === 'batch') return json(200, batchView(entry.spec));
	if (route === 'report') return reportLink(ctx, batchId);
	if (route === 'export.request') {
		return ctx.settings.behaviour === 'A' ? requestA(ctx, batchId) : requestB(ctx, batchId, req.query);
	}
	if (route === 'export.status') return exportStatus(ctx, batchId, exportId);
	// Behaviour A's API has no job list and no delete.
	if (ctx.settings.behaviour === 'A') return notAllowed;
	if (route === 'export.list') return listJobs(ctx, batchId);
	return deleteJob(ctx, batchId, exportId);
}

function page<T>(settings: Settings, items: T[], query: Record<string, string>) {
	const offset = settings.ignoreOffset ? 0 : Math.max(0, Number(query.offset) || 0);
	const limit = Math.min(Number(query.limit) > 0 ? Number(query.limit) : items.length, settings.maxPageSize);
	return { results: items.slice(offset, offset + limit), meta: { count: items.length } };
}

/** A workspace that refuses to list its batches or collections, as the store was told. */
function refused(ctx: Context, kind: 'batches' | 'collections', workspaceId: string): Reply | undefined {
	const refusal = ctx.store.refusals.get(workspaceId)?.[kind];
	if (refusal === 403) return apiError(403, kind === 'collections' ? 'Collections are not enabled for this workspace.' : 'You do not have access to this workspace.');
	if (refusal === 404) return apiError(404, 'Workspace not found.');
	return undefined;
}

function listBatches(ctx: Context, query: Record<string, string>): Reply {
	if (!query.workspace_id) return apiError(400, { workspace_id: ['This field is required.'] });
	const refusal = refused(ctx, 'batches', query.workspace_id);
	if (refusal) return refusal;
	const batches = [...ctx.store.batches.values()]
		.filter((b) => b.spec.workspace_id === query.workspace_id && !b.forbidden && !b.kind)
		.map((b) => batchView(b.spec));
	return json(200, page(ctx.settings, batches, query));
}

function listCollections(ctx: Context, query: Record<string, string>): Reply {
	if (!query.workspace_id) return apiError(400, { workspace_id: ['This field is required.'] });
	const refusal = refused(ctx, 'collections', query.workspace_id);
	if (refusal) return refusal;
	const collections = [...ctx.store.batches.values()]
		.filter((b) => b.spec.workspace_id === query.workspace_id && !b.forbidden && b.kind === 'collection')
		.map(({ spec }) => ({
			id: spec.batch_id,
			name: spec.name,
			workspace_id: spec.workspace_id,
			created_at: spec.created_at ?? spec.exported_at,
			created_by: SAMPLE_USER.id,
			schema_version: 1,
			task_details: { task_name: spec.name, task_introduction: '', task_steps: '' },
			collection_items: [],
		}));
	return json(200, page(ctx.settings, collections, query));
}

function batchView(spec: BatchSpec) {
	return {
		id: spec.batch_id,
		name: spec.name,
		status: spec.status ?? 'READY',
		workspace_id: spec.workspace_id,
		created_at: spec.created_at ?? spec.exported_at,
		created_by: SAMPLE_USER.id,
		datasets: [],
		total_task_count: spec.task_ids.length,
		total_instruction_count: spec.instructions.length,
		schema_version: 3,
		task_details: { task_name: spec.name, task_introduction: '', task_steps: '' },
		total_task_groups: 1,
	};
}

const generating = (settings: Settings, export_id: string) => json(202, { status: settings.inProgressStatus, export_id });

/** Idempotent: the running job, else the latest complete one while its URL lasts, else a new job. */
function requestA({ store, faults, settings, downloadOrigin }: Context, batchId: string): Reply {
	const jobs = store.jobsOf(batchId);
	const running = jobs.find((j) => j.status === 'generating');
	if (running) return generating(settings, running.export_id);
	const done = jobs.reverse().find((j) => j.status === 'complete');
	if (done && faults.take('export.request', batchId, ['expireUrl'])) {
		return json(200, { status: 'complete', ...store.mintUrl(done, downloadOrigin, settings, true) });
	}
	const current = done && store.validUrl(done, settings.clockOffsetSeconds);
	if (current) return json(200, { status: 'complete', ...current });
	return generating(settings, store.createJob(batchId, null).export_id);
}

/** A fresh job per POST, unless one with the same filter is still running; at most maxJobsPerBatch. */
function requestB({ store, settings }: Context, batchId: string, query: Record<string, string>): Reply {
	const filter: ExportFilter = {};
	for (const key of ['study_id', 'from', 'to'] as const) {
		const value = query[key];
		if (value === undefined) continue;
		if (key !== 'study_id' && Number.isNaN(Date.parse(value))) return apiError(400, { [key]: ['Enter a valid date/time.'] });
		if (!settings.ignoreFilters) filter[key] = value;
	}
	const jobs = store.jobsOf(batchId);
	const same = (f: ExportFilter | null) =>
		f?.study_id === filter.study_id && f?.from === filter.from && f?.to === filter.to;
	const running = jobs.find((j) => j.status === 'generating' && same(j.filter));
	if (running) return generating(settings, running.export_id);
	if (jobs.length >= settings.maxJobsPerBatch) {
		const detail = `This batch already has ${jobs.length} export jobs. Delete an existing export job before requesting a new one.`;
		return apiError(400, detail, 'Export limit reached');
	}
	return generating(settings, store.createJob(batchId, Object.keys(filter).length ? filter : null).export_id);
}

/** The report endpoint: a fresh presigned link each time, or 404 for a batch without a report. */
function reportLink({ store, faults, settings, downloadOrigin }: Context, batchId: string): Reply {
	if (!store.reportFor(batchId)) return apiError(404, 'No report is available for this batch.');
	const expired = !!faults.take('report', batchId, ['expireUrl']);
	return json(200, { ...store.mintReportUrl(batchId, downloadOrigin, settings, expired), http_method: 'GET' });
}

function exportStatus({ store, faults, settings, downloadOrigin }: Context, batchId: string, exportId: string): Reply {
	if (faults.take('export.status', batchId, ['vanish'])) store.jobs.delete(exportId);
	const job = store.jobs.get(exportId);
	if (job?.batch_id !== batchId) return apiError(404, 'Export job not found.');
	job.polls++;
	if (faults.take('export.status', batchId, ['exportFailed'])) job.status = 'failed';
	if (job.status === 'failed') return json(200, { status: 'failed' });
	if (job.status === 'generating' && job.polls <= settings.pollsUntilComplete) {
		return json(200, { status: settings.inProgressStatus, export_id: job.export_id });
	}
	job.status = 'complete';
	// Every complete answer carries a freshly signed URL, as the docs promise.
	const expired = !!faults.take('export.status', batchId, ['expireUrl']);
	return json(200, { status: 'complete', ...store.mintUrl(job, downloadOrigin, settings, expired) });
}

function listJobs({ store }: Context, batchId: string): Reply {
	const results = store
		.jobsOf(batchId)
		.reverse()
		.map(({ export_id, filter, status, created_at }) => ({ export_id, filter, status, created_at }));
	return json(200, { results });
}

function deleteJob({ store }: Context, batchId: string, exportId: string): Reply {
	const job = store.jobs.get(exportId);
	if (job?.batch_id !== batchId) return apiError(404, 'Export job not found.');
	if (job.status === 'generating') {
		return apiError(409, 'This export job is still generating. Wait for it to finish before deleting it.');
	}
	store.jobs.delete(exportId);
	return noContent();
}
