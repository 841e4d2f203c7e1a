import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { buildArchive, type BatchSpec } from './archive-builder';
import { buildReport } from './report-builder';

export interface Workspace {
	id: string;
	title: string;
	[k: string]: unknown;
}

export interface WorkspaceRefusals {
	batches?: 403 | 404;
	collections?: 403 | 404;
}

/** Behaviour B's optional POST filters, as given; null when the POST had none. */
export interface ExportFilter {
	study_id?: string;
	from?: string;
	to?: string;
}

export interface ExportJob {
	export_id: string;
	batch_id: string;
	filter: ExportFilter | null;
	status: 'generating' | 'complete' | 'failed';
	created_at: string;
	/** status GETs seen so far */
	polls: number;
}

/** An archive served from disk as it is: for exports larger than a Buffer holds (the benchmark's 4 GB one). */
export interface ArchiveFile {
	path: string;
	size: number;
	/** where in the file the bytes served start (a range of it) */
	start?: number;
}

export type ArchiveBytes = Buffer | ArchiveFile;

interface JobState extends ExportJob {
	/** the last URL handed out, and when it expires (epoch ms) */
	url?: string;
	expiresAt?: number;
	/** built on first download, only for jobs filtered by date */
	archive?: Promise<Buffer>;
}

interface BatchEntry {
	/** a collection is kept as a batch whose archive is given */
	kind?: 'collection';
	spec: BatchSpec;
	/** built lazily once, unless given */
	archive?: Promise<ArchiveBytes>;
	/** a given archive is served as is: date filters cannot apply to it */
	given: boolean;
	forbidden: boolean;
	/** the batch report's CSV, when not built from the spec; null: the batch has no report (404) */
	report?: Buffer | null;
}

/** Workspaces, batches and export jobs, plus the signing of download URLs. */
/** How long links live, and how far the API's clock is from this machine's. */
type UrlClock = { urlTtlSeconds: number; clockOffsetSeconds: number };

export class Store {
	readonly workspaces: Workspace[] = [];
	/** by workspace ID: which of its lists answer 403 or 404 */
	readonly refusals = new Map<string, WorkspaceRefusals>();
	readonly batches = new Map<string, BatchEntry>();
	/** by export_id, in creation order */
	readonly jobs = new Map<string, JobState>();
	private readonly secret = randomBytes(32);

	jobsOf(batchId: string): JobState[] {
		return [...this.jobs.values()].filter((j) => j.batch_id === batchId);
	}

	createJob(batchId: string, filter: ExportFilter | null): JobState {
		const job: JobState = {
			export_id: randomUUID(),
			batch_id: batchId,
			filter,
			status: 'generating',
			created_at: new Date().toISOString(),
			polls: 0,
		};
		this.jobs.set(job.export_id, job);
		return job;
	}

	archiveFor(job: JobState): Promise<ArchiveBytes> {
		const entry = this.batches.get(job.batch_id);
		if (!entry) throw new Error(`batch ${job.batch_id} is gone`);
		const { from, to } = job.filter ?? {};
		if (entry.given || (from === undefined && to === undefined)) return (entry.archive ??= buildArchive(entry.spec));
		return (job.archive ??= buildArchive(byDate(entry.spec, from, to)));
	}

	/** The batch's report CSV; undefined when it has none. */
	reportFor(batchId: string): Buffer | undefined {
		const entry = this.batches.get(batchId);
		if (!entry || entry.kind || entry.report === null) return undefined;
		return (entry.report ??= buildReport(entry.spec));
	}

	/** Signs a fresh download URL for the job, by the API's clock; `expired` dates it in the past. */
	mintUrl(job: JobState, origin: string, clock: UrlClock, expired: boolean): { url: string; expires_at: string } {
		const signed = this.signedUrl(`${origin}/exports/${job.export_id}.zip`, clock, expired);
		job.url = signed.url;
		job.expiresAt = Date.parse(signed.expires_at);
		return signed;
	}

	/** A fresh link to a batch's report CSV. */
	mintReportUrl(batchId: string, origin: string, clock: UrlClock, expired: boolean): { url: string; expires_at: string } {
		return this.signedUrl(`${origin}/reports/${batchId}.csv`, clock, expired);
	}

	private signedUrl(link: string, { urlTtlSeconds: ttlSeconds, clockOffsetSeconds }: UrlClock, expired: boolean): { url: string; expires_at: string } {
		// Whole seconds, so the URL and expires_at agree exactly.
		const now = Date.now() + clockOffsetSeconds * 1000;
		const expires = expired ? Math.floor(now / 1000) * 1000 - 60_000 : Math.ceil(now / 1000 + ttlSeconds) * 1000;
		const query = new URLSearchParams({
			'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
			'X-Amz-Expires': String(ttlSeconds),
			expires: String(expires),
			'X-Amz-Signature': this.sign(new URL(link).pathname, String(expires)),
		});
		return { url: `${link}?${query}`, expires_at: isoSeconds(expires) };
	}

	/** The URL handed out last, while it still works by the API's clock. */
	validUrl(job: JobState, clockOffsetSeconds: number): { url: string; expires_at: string } | undefined {
		if (job.url && job.expiresAt && job.expiresAt > Date.now() + clockOffsetSeconds * 1000) return { url: job.url, expires_at: isoSeconds(job.expiresAt) };
		return undefined;
	}

	verifyUrl(path: string, query: Record<string, string>, clockOffsetSeconds: number): 'ok' | 'bad-signature' | 'expired' {
		const { expires = '', 'X-Amz-Signature': signature } = query;
		if (signature !== this.sign(path, expires)) return 'bad-signature';
		return Date.now() + clockOffsetSeconds * 1000 < Number(expires) ? 'ok' : 'expired';
	}

	private sign(path: string, expires: string): string {
		return createHmac('sha256', this.secret).update(`${path}\n${expires}`).digest('hex');
	}
}

/** Prolific's style: "2026-03-20T10:30:00Z". */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The batch as a job filtered by created_at would see it: fewer submissions, only their files. */
function byDate(spec: BatchSpec, from?: string, to?: string): BatchSpec {
	const start = from === undefined ? -Infinity : Date.parse(from);
	const end = to === undefined ? Infinity : Date.parse(to);
	const submissions = spec.submissions.filter((s) => {
		const at = Date.parse(s.created_at);
		return at >= start && at <= end;
	});
	const prefixes = submissions.map((s) => `files/${s.submission_id}_`);
	const files = Object.fromEntries(Object.entries(spec.files).filter(([path]) => prefixes.some((p) => path.startsWith(p))));
	return { ...spec, submissions, files };
}
