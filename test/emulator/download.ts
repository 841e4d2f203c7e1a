import { gzipSync } from 'node:zlib';

import type { Context, Incoming, Match } from './api';
import type { FaultQueue, Route } from './faults';
import { mutateArchive } from './raw-zip';
import { brokenReport } from './report-builder';
import { s3Error, type Reply } from './replies';
import type { ArchiveBytes, Store } from './store';

/** The storage host: presigned URLs only, S3's rules and S3's XML errors. */

const TWO_AUTH_MECHANISMS =
	'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, ' +
	'Signature query string parameter or the Authorization header should be specified';
const BAD_SIGNATURE =
	'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

export function matchDownload(store: Store, path: string): Match | undefined {
	const report = /^\/reports\/([^/]+)\.csv$/.exec(path);
	if (report) return { route: 'report.download', batchId: report[1] };
	const m = /^\/exports\/([^/]+)\.zip$/.exec(path);
	return m ? { route: 'download', exportId: m[1], batchId: store.jobs.get(m[1])?.batch_id } : undefined;
}

export async function handleDownload(ctx: Context, req: Incoming, match: Match | undefined): Promise<Reply> {
	if (!match?.exportId && match?.route !== 'report.download') return s3Error(404);
	const refused = refusal(ctx, req);
	if (refused) return refused;
	return match.route === 'report.download' ? report(ctx, req, match.batchId ?? '') : await archive(ctx, req, match.exportId ?? '');
}

/** What S3 says to a request it will not serve: a wrong method, a second auth mechanism, a bad or expired signature. */
function refusal({ store, settings }: Context, req: Incoming): Reply | undefined {
	if (req.method !== 'GET' && req.method !== 'HEAD') {
		return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
	}
	// A presigned URL is already authenticated: S3 refuses a second mechanism (and the token would leak).
	if (req.headers.authorization !== undefined) {
		return s3Error(400, 'InvalidArgument', TWO_AUTH_MECHANISMS);
	}
	const check = store.verifyUrl(req.path, req.query, settings.clockOffsetSeconds);
	if (check === 'bad-signature') {
		return s3Error(403, 'SignatureDoesNotMatch', BAD_SIGNATURE);
	}
	if (check === 'expired') return s3Error(403, 'AccessDenied', 'Request has expired');
	return undefined;
}

async function archive({ store, faults, settings }: Context, req: Incoming, exportId: string): Promise<Reply> {
	if (faults.take('download', store.jobs.get(exportId)?.batch_id, ['vanish'], req.method === 'GET')) store.jobs.delete(exportId);
	const job = store.jobs.get(exportId);
	if (!job) return s3Error(404); // deleted since the URL was signed
	const zip = await store.archiveFor(job);
	// HEAD only peeks, so the GET that follows still gets the faulty archive.
	const fault = faults.take('download', job.batch_id, ['archive'], req.method === 'GET');
	const body = fault && 'archive' in fault ? damaged(zip, fault.archive) : zip;
	return served(faults, req, 'download', job.batch_id, 'application/zip', body, settings.servesRanges);
}

function report({ store, faults, settings }: Context, req: Incoming, batchId: string): Reply {
	const csv = store.reportFor(batchId);
	const spec = store.batches.get(batchId)?.spec;
	if (!csv || !spec) return s3Error(404);
	const fault = faults.take('report.download', batchId, ['report'], req.method === 'GET');
	if (fault && 'report' in fault) {
		const type = { html: 'text/html; charset=utf-8', json: 'application/json', ragged: 'text/csv', empty: 'text/csv' }[fault.report];
		return { status: 200, headers: { 'content-type': type }, body: brokenReport(spec, fault.report) };
	}
	return served(faults, req, 'report.download', batchId, 'text/csv', csv, settings.servesRanges);
}

/**
 * A 200 with the body (or the file it is on), chunked or gzipped when a fault says so; with
 * `ranges`, a Range request gets S3's 206 with its bytes (or 416), unless the body is gzipped.
 */
function served(faults: FaultQueue, req: Incoming, route: Route, batchId: string, type: string, content: ArchiveBytes, ranges: boolean): Reply {
	const chunked = faults.take(route, batchId, ['chunked'], req.method === 'GET');
	const gzip = faults.take(route, batchId, ['gzip'], req.method === 'GET');
	const gzipped = gzip && 'gzip' in gzip && (gzip.gzip === 'always' || /\bgzip\b/.test(req.headers['accept-encoding'] ?? ''));
	const announce = faults.take(route, batchId, ['announce'], req.method === 'GET');
	const size = Buffer.isBuffer(content) ? content.length : content.size;
	const range = ranges && !gzipped && req.headers.range !== undefined ? byteRange(req.headers.range, size) : undefined;
	if (range === 'unsatisfiable') {
		return { ...s3Error(416, 'InvalidRange', 'The requested range is not satisfiable'), headers: { 'content-type': 'application/xml', 'content-range': `bytes */${size}` } };
	}
	const shift = range && faults.take(route, batchId, ['shiftRange'], req.method === 'GET');
	const by = range && shift && 'shiftRange' in shift ? Math.min(shift.shiftRange, range.start) : 0;
	return {
		status: range ? 206 : 200,
		headers: {
			'content-type': type,
			...(range && { 'content-range': `bytes ${range.start}-${range.end}/${size}` }),
			...(announce && 'announce' in announce && { 'content-length': String(announce.announce) }),
			...(chunked && { 'transfer-encoding': 'chunked' }),
			...(gzipped && { 'content-encoding': 'gzip' }),
		},
		...bodyOf(range ? slice(content, range.start - by, range.end + 1 - by) : content, !!gzipped),
	};
}

/** A single range, as S3 reads one: `bytes=a-b`, `bytes=a-`, `bytes=-n`; anything else is ignored (the whole body). */
function byteRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
	const [, first = '', last = ''] = /^bytes=(\d*)-(\d*)$/.exec(header.trim()) ?? [];
	if (first === '' && last === '') return undefined;
	// `bytes=-n` is the last n bytes; an end past the archive stops at it.
	const start = first === '' ? Math.max(0, size - Number(last)) : Number(first);
	const end = first === '' || last === '' ? size - 1 : Math.min(size - 1, Number(last));
	if (start >= size || start > end) return 'unsatisfiable';
	return { start, end };
}

function slice(content: ArchiveBytes, start: number, end: number): ArchiveBytes {
	return Buffer.isBuffer(content) ? content.subarray(start, end) : { path: content.path, start: (content.start ?? 0) + start, size: end - start };
}

function bodyOf(content: ArchiveBytes, gzipped: boolean): Pick<Reply, 'body' | 'file'> {
	if (Buffer.isBuffer(content)) return { body: gzipped ? gzipSync(content) : content };
	if (gzipped) throw new Error('an archive served from disk is sent as it is: load it into memory to gzip it');
	return { body: Buffer.alloc(0), file: content };
}

function damaged(archive: ArchiveBytes, how: 'truncated' | 'corrupt' | Buffer): Buffer {
	if (!Buffer.isBuffer(archive)) throw new Error('an archive served from disk is sent as it is: load it into memory to damage it');
	if (how === 'truncated') return mutateArchive.truncate(archive, 0.5);
	if (how === 'corrupt') return mutateArchive.corrupt(archive);
	return how;
}
