import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Transform } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { FORBIDDEN_DETAIL, handleApi, matchApi, type Context, type Incoming, type Match, type Settings } from './api';
import type { BatchSpec } from './archive-builder';
import { buildCollectionArchive, type CollectionArchiveOptions, type CollectionSpec } from './collection-builder';
import { handleDownload, matchDownload } from './download';
import { FaultQueue, type Fault } from './faults';
import { apiError, json, s3Error, type Reply } from './replies';
import { Store, type ArchiveBytes, type ExportJob, type Workspace, type WorkspaceRefusals } from './store';
import { SAMPLE_TOKEN } from '../fixtures/sample-batch';

export interface EmulatorOptions extends Partial<Settings> {
	port?: number;
	downloadPort?: number;
}

export interface RecordedRequest {
	origin: 'api' | 'download';
	method: string;
	/** without the query */
	path: string;
	query: Record<string, string>;
	/** lower-cased names, values as received */
	headers: Record<string, string>;
	/** epoch ms */
	at: number;
}

/** Prolific's API and its storage host, as two real HTTP servers on 127.0.0.1. */
export class ProlificEmulator implements Settings {
	behaviour: 'A' | 'B';
	pollsUntilComplete: number;
	urlTtlSeconds: number;
	tokens: string[];
	maxJobsPerBatch: number;
	ignoreFilters: boolean;
	inProgressStatus: string;
	clockOffsetSeconds: number;
	maxPageSize: number;
	ignoreOffset: boolean;
	servesRanges: boolean;
	downloadBytesPerSecond: number;
	/** the origin put into download links, when it should differ from where downloads are served */
	advertisedDownloadOrigin?: string;
	/** every request to either origin, recorded before any fault applies */
	readonly requests: RecordedRequest[] = [];

	private readonly store = new Store();
	private readonly faults = new FaultQueue();
	private readonly api = createServer((req, res) => void this.serve('api', req, res));
	private readonly download = createServer((req, res) => void this.serve('download', req, res));
	private readonly closing = new AbortController();

	private constructor(opts: EmulatorOptions) {
		this.behaviour = opts.behaviour ?? 'A';
		this.pollsUntilComplete = opts.pollsUntilComplete ?? 2;
		this.urlTtlSeconds = opts.urlTtlSeconds ?? 3600;
		this.tokens = opts.tokens ?? [SAMPLE_TOKEN];
		this.maxJobsPerBatch = opts.maxJobsPerBatch ?? 10;
		this.ignoreFilters = opts.ignoreFilters ?? false;
		this.inProgressStatus = opts.inProgressStatus ?? 'generating';
		this.clockOffsetSeconds = opts.clockOffsetSeconds ?? 0;
		this.maxPageSize = opts.maxPageSize ?? 500;
		this.ignoreOffset = opts.ignoreOffset ?? false;
		this.servesRanges = opts.servesRanges ?? true;
		this.downloadBytesPerSecond = opts.downloadBytesPerSecond ?? 0;
	}

	static async start(opts: EmulatorOptions = {}): Promise<ProlificEmulator> {
		const emulator = new ProlificEmulator(opts);
		try {
			await Promise.all([listen(emulator.api, opts.port ?? 0), listen(emulator.download, opts.downloadPort ?? 0)]);
		} catch (error) {
			await emulator.close(); // e.g. one port was taken: free the other
			throw error;
		}
		return emulator;
	}

	/** e.g. http://127.0.0.1:8787, no trailing slash */
	get apiUrl(): string {
		return origin(this.api);
	}

	get downloadOrigin(): string {
		return origin(this.download);
	}

	/** a valid token */
	get token(): string {
		return this.tokens[0];
	}

	/** `refuse`: lists of this workspace that answer 403 (e.g. collections not enabled) or 404. */
	addWorkspace(workspace: Workspace, refuse?: WorkspaceRefusals): void {
		this.store.workspaces.push(workspace);
		if (refuse) this.store.refusals.set(workspace.id, refuse);
	}

	/**
	 * `archive` replaces the built one (a file on disk is served from there, for exports larger than
	 * memory); `forbidden` batches answer 403 and stay out of listings.
	 */
	addBatch(spec: BatchSpec, archive?: ArchiveBytes, opts: { forbidden?: boolean } = {}): void {
		this.store.batches.set(spec.batch_id, {
			spec,
			archive: archive && Promise.resolve(archive),
			given: archive !== undefined,
			forbidden: opts.forbidden ?? false,
		});
	}

	/** A collection exports like a batch; its archive is built here unless given. */
	addCollection(spec: CollectionSpec, archive?: Buffer, opts: CollectionArchiveOptions = {}): void {
		const { collection_id, instructions, ...rest } = spec;
		this.store.batches.set(collection_id, {
			spec: { ...rest, batch_id: collection_id, instructions, task_ids: [], submissions: [], files: {} },
			archive: archive ? Promise.resolve(archive) : buildCollectionArchive(spec, opts),
			given: true,
			forbidden: false,
			kind: 'collection',
		});
	}

	setArchive(batchId: string, archive: Buffer): void {
		const entry = this.store.batches.get(batchId);
		if (!entry) throw new Error(`unknown batch ${batchId}`);
		entry.archive = Promise.resolve(archive);
		entry.given = true;
	}

	/** Replaces the batch's report CSV (built from its spec otherwise); null: the batch has no report (404). */
	setReport(batchId: string, csv: Buffer | string | null): void {
		const entry = this.store.batches.get(batchId);
		if (!entry) throw new Error(`unknown batch ${batchId}`);
		entry.report = typeof csv === 'string' ? Buffer.from(csv, 'utf8') : csv;
	}

	inject(fault: Fault): void {
		this.faults.add(fault);
	}

	/** the batch's export jobs, oldest first */
	jobs(batchId: string): ExportJob[] {
		return this.store.jobsOf(batchId).map(({ export_id, batch_id, filter, status, created_at, polls }) => ({
			export_id,
			batch_id,
			filter,
			status,
			created_at,
			polls,
		}));
	}

	/** Clears faults, export jobs and the request log; workspaces, batches and settings stay. */
	reset(): void {
		this.faults.clear();
		this.store.jobs.clear();
		this.requests.length = 0;
	}

	async close(): Promise<void> {
		this.closing.abort();
		await Promise.all(
			[this.api, this.download].map((server) => {
				server.closeAllConnections();
				return new Promise((resolve) => server.close(resolve));
			}),
		);
	}

	private async serve(side: 'api' | 'download', req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://emulator');
		const incoming: Incoming = {
			method: req.method ?? 'GET',
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			headers: Object.fromEntries(
				Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]),
			),
		};
		this.requests.push({ origin: side, ...incoming, at: Date.now() });

		const match = side === 'api' ? matchApi(incoming.method, incoming.path) : matchDownload(this.store, incoming.path);
		const fault = match?.route && this.faults.take(match.route, match.batchId, ['status', 'reset', 'delayMs']);
		try {
			if (fault && 'delayMs' in fault) await sleep(fault.delayMs, undefined, { signal: this.closing.signal });
			if (fault && 'reset' in fault && fault.reset === 'before-headers') return void req.socket.destroy();
			const context: Context = { settings: this, store: this.store, faults: this.faults, downloadOrigin: this.advertisedDownloadOrigin ?? this.downloadOrigin };
			const reply =
				fault && 'status' in fault
					? faultReply(side, fault, match, req.url ?? '/')
					: side === 'api'
						? handleApi(context, incoming, match)
						: await handleDownload(context, incoming, match);
			send(req, res, reply, !!fault && 'reset' in fault, side === 'download' ? this.downloadBytesPerSecond : 0);
		} catch (error) {
			if (this.closing.signal.aborted) return void res.destroy();
			const reply = side === 'api' ? apiError(500, String(error)) : s3Error(500);
			send(req, res, reply, false);
		}
	}
}

function faultReply(side: 'api' | 'download', fault: Extract<Fault, { status: number }>, match: Match | undefined, request: string): Reply {
	const headers: Record<string, string> = {
		...(fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) }),
		...Object.fromEntries(Object.entries(fault.headers ?? {}).map(([name, value]) => [name, value.replace('{request}', request)])),
	};
	let reply: Reply;
	if (typeof fault.body === 'string') {
		// e.g. a gateway's HTML error page
		reply = { status: fault.status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(fault.body) };
	} else if (fault.body !== undefined) {
		reply = json(fault.status, fault.body);
	} else if (side === 'download') {
		reply = s3Error(fault.status);
	} else {
		reply = apiError(fault.status, fault.status === 403 && match?.batchId ? FORBIDDEN_DETAIL : undefined);
	}
	return { ...reply, headers: { ...reply.headers, ...headers } };
}

/** `cut`: headers and half the body, then the socket dies; `rate`: bytes per second, 0 for no limit. */
function send(req: IncomingMessage, res: ServerResponse, reply: Reply, cut: boolean, rate = 0): void {
	const length = reply.file ? reply.file.size : reply.body.length;
	const sized = reply.status !== 204 && reply.headers['transfer-encoding'] === undefined && reply.headers['content-length'] === undefined;
	const headers = sized ? { ...reply.headers, 'content-length': String(length) } : reply.headers;
	res.writeHead(reply.status, headers);
	if (req.method === 'HEAD') return void res.end();
	const sent = cut ? Math.floor(length / 2) : length;
	if (!reply.file && !rate) {
		if (cut) return void res.write(reply.body.subarray(0, sent), () => res.destroy());
		return void res.end(reply.body);
	}
	const start = reply.file?.start ?? 0;
	const body = reply.file
		? createReadStream(reply.file.path, { start, end: start + sent - 1, highWaterMark: 1 << 20 })
		: Readable.from(slices(reply.body.subarray(0, sent)));
	const paced = rate ? body.pipe(pacing(rate)) : body;
	body.on('error', () => res.destroy());
	if (cut) paced.on('end', () => res.destroy());
	paced.pipe(res, { end: !cut });
}

function* slices(bytes: Buffer, size = 64 * 1024): Generator<Buffer> {
	for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** Passes bytes on no faster than `rate` per second, as a host across a network would send them. */
function pacing(rate: number): Transform {
	const started = Date.now();
	let passed = 0;
	return new Transform({
		transform(chunk: Buffer, _encoding, done) {
			passed += chunk.length;
			const wait = started + (passed / rate) * 1000 - Date.now();
			if (wait > 0) setTimeout(() => done(null, chunk), wait);
			else done(null, chunk);
		},
	});
}

function listen(server: Server, port: number): Promise<void> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve());
	});
}

function origin(server: Server): string {
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
