export type Route =
	| 'me'
	| 'workspaces'
	| 'batches'
	| 'collections'
	| 'batch'
	| 'export.request'
	| 'export.status'
	| 'export.list'
	| 'export.delete'
	| 'download'
	| 'report'
	| 'report.download';

export type Fault = { route: Route; /** default 1 */ times?: number; batchId?: string } & (
	/** `headers` are added to the answer, e.g. a redirect's `location`; `{request}` in a value is the request's own path and query */
	| { status: number; body?: unknown; retryAfter?: number | string; headers?: Record<string, string> }
	/** destroy the socket; mid-body sends the headers and part of the body first */
	| { reset: 'before-headers' | 'mid-body' }
	/** answer normally, only later */
	| { delayMs: number }
	/** export.status answers {status: 'failed'} and the job stays failed */
	| { exportFailed: true }
	/** export.status or download: the job is deleted first (as by another run's Delete Export Job), so the request finds it gone (404) */
	| { vanish: true }
	/** the next complete answer (or report link) hands out a URL (and expires_at) already in the past */
	| { expireUrl: true }
	/** the download serves this instead of the job's archive */
	| { archive: 'truncated' | 'corrupt' | Buffer }
	/** the download is sent in chunks, without a Content-Length, as some hosts and proxies do */
	| { chunked: true }
	/** the download is gzipped (Content-Length the compressed size): always, as some hosts do, or only when the client accepts gzip */
	| { gzip: 'always' | 'when-asked' }
	/** a Range request is answered with the bytes this many before those asked for, labelled as asked (a broken proxy's cache) */
	| { shiftRange: number }
	/** the download announces this Content-Length (e.g. more than the disk holds) and sends only the archive, then waits */
	| { announce: number }
	/** the report download serves this instead of the batch's report: a sign-in page, a JSON error, a row short of a cell, nothing */
	| { report: 'html' | 'json' | 'ragged' | 'empty' }
);

type Kind = 'status' | 'reset' | 'delayMs' | 'exportFailed' | 'vanish' | 'expireUrl' | 'archive' | 'chunked' | 'gzip' | 'shiftRange' | 'announce' | 'report';

/** Pending faults, consumed in injection order by the requests they match. */
export class FaultQueue {
	private pending: { fault: Fault; left: number }[] = [];

	add(fault: Fault): void {
		this.pending.push({ fault, left: fault.times ?? 1 });
	}

	clear(): void {
		this.pending = [];
	}

	/**
	 * The oldest fault of one of `kinds` for this route and batch. Faults of other kinds wait for
	 * their own moment (an expireUrl fault waits for a complete answer, not the next poll).
	 * `consume: false` peeks (a HEAD must not use up the archive meant for the GET).
	 */
	take(route: Route, batchId: string | undefined, kinds: Kind[], consume = true): Fault | undefined {
		const i = this.pending.findIndex(
			({ fault }) =>
				fault.route === route &&
				(fault.batchId === undefined || fault.batchId === batchId) &&
				kinds.some((k) => k in fault),
		);
		if (i < 0) return undefined;
		const entry = this.pending[i];
		if (consume && --entry.left <= 0) this.pending.splice(i, 1);
		return entry.fault;
	}
}
