import { gzipSync } from 'node:zlib';

import type { Context, Incoming, Match } from './api';
import { mutateArchive } from './raw-zip';
import { s3Error, type Reply } from './replies';
import type { Store } from './store';

/** The storage host: presigned URLs only, S3's rules and S3's XML errors. */

const TWO_AUTH_MECHANISMS =
	'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, ' +
	'Signature query string parameter or the Authorization header should be specified';
const BAD_SIGNATURE =
	'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

export function matchDownload(store: Store, path: string): Match | undefined {
	const m = /^\/exports\/([^/]+)\.zip$/.exec(path);
	return m ? { route: 'download', exportId: m[1], batchId: store.jobs.get(m[1])?.batch_id } : undefined;
}

export async function handleDownload({ store, faults }: Context, req: Incoming, match: Match | undefined): Promise<Reply> {
	if (!match?.exportId) return s3Error(404);
	if (req.method !== 'GET' && req.method !== 'HEAD') {
		return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
	}
	// A presigned URL is already authenticated: S3 refuses a second mechanism (and the token would leak).
	if (req.headers.authorization !== undefined) {
		return s3Error(400, 'InvalidArgument', TWO_AUTH_MECHANISMS);
	}
	const check = store.verifyUrl(req.path, req.query);
	if (check === 'bad-signature') {
		return s3Error(403, 'SignatureDoesNotMatch', BAD_SIGNATURE);
	}
	if (check === 'expired') return s3Error(403, 'AccessDenied', 'Request has expired');
	const job = store.jobs.get(match.exportId);
	if (!job) return s3Error(404); // deleted since the URL was signed

	const archive = await store.archiveFor(job);
	// HEAD only peeks, so the GET that follows still gets the faulty archive.
	const fault = faults.take('download', job.batch_id, ['archive'], req.method === 'GET');
	const body = fault && 'archive' in fault ? damaged(archive, fault.archive) : archive;
	const chunked = faults.take('download', job.batch_id, ['chunked'], req.method === 'GET');
	const gzip = faults.take('download', job.batch_id, ['gzip'], req.method === 'GET');
	const gzipped = gzip && 'gzip' in gzip && (gzip.gzip === 'always' || /\bgzip\b/.test(req.headers['accept-encoding'] ?? ''));
	const announce = faults.take('download', job.batch_id, ['announce'], req.method === 'GET');
	return {
		status: 200,
		headers: {
			'content-type': 'application/zip',
			...(announce && 'announce' in announce && { 'content-length': String(announce.announce) }),
			...(chunked && { 'transfer-encoding': 'chunked' }),
			...(gzipped && { 'content-encoding': 'gzip' }),
		},
		body: gzipped ? gzipSync(body) : body,
	};
}

function damaged(archive: Buffer, how: 'truncated' | 'corrupt' | Buffer): Buffer {
	if (how === 'truncated') return mutateArchive.truncate(archive, 0.5);
	if (how === 'corrupt') return mutateArchive.corrupt(archive);
	return how;
}
