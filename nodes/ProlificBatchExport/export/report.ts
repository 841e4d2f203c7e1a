import { fileSource } from '../archive/source';
import { describeTarget } from '../resources';
import type { BatchExportSettings } from '../settings';
import type { TempArchive } from '../temp-archive';
import { downloadArchive, prolificApiRequest, type Context, type DownloadSubject } from '../transport';
import type { DownloadedReport, ExportJob, ExportTarget } from '../types';
import { ExportApi } from './api';
import { ExportError, runExport } from './lifecycle';
import { ExportLedger } from './ledger';
import { exportSteps } from './steps';

/** `GET …/batches/{id}/report/`: a presigned link to the report CSV, and how to fetch it. */
interface ReportLink {
	url?: unknown;
	expires_at?: string;
	http_method?: unknown;
}

const BATCH_REPORT: DownloadSubject = {
	file: 'batch report',
	download: 'batch report',
	retry: 'The storage host did not deliver the report. Run the workflow again: the node asks Prolific for a fresh link.',
};

/**
 * Prolific's batch report: the batch's dataset with the participants' responses beside it, as
 * CSV. No export job is involved: the report endpoint hands out the link, and an expired or
 * refused link is replaced by asking it again, through the same lifecycle as an export's link.
 */
export async function fetchReport(ctx: Context, settings: BatchExportSettings, itemIndex: number, file: TempArchive): Promise<DownloadedReport> {
	const { target, limits } = settings;
	const steps = {
		// No export job, so nothing for the ledger to remember: it is never committed.
		...exportSteps(ctx, new ExportApi(ctx, target, itemIndex), settings, itemIndex, ExportLedger.of(ctx), file),
		requestExport: async (deadline: number) => await reportLink(ctx, target, itemIndex, deadline),
		getExportStatus: () => Promise.reject(new Error('A batch report has no export job to check')),
		download: async (url: string) => await downloadArchive(ctx, url, { maxBytes: limits.maxBytes, itemIndex, file, subject: BATCH_REPORT }),
		freeSlot: undefined,
	};
	const { expiresAt } = await runExport(steps, settings.lifecycle, target);
	return { csv: await fileSource(file.path), expiresAt };
}

/** The report's link as the lifecycle takes a finished export's: `complete`, with no export ID. */
async function reportLink(ctx: Context, target: ExportTarget, itemIndex: number, deadline: number): Promise<ExportJob> {
	const answer = await prolificApiRequest<ReportLink | null>(ctx, {
		method: 'GET',
		path: `/api/v1/data-collection/batches/${target.id}/report/`,
		notFound: `Prolific has no report for ${describeTarget(target)}`,
		notFoundHint:
			"Check the batch ID. A batch whose dataset is still being processed has no report yet: run the node again once the batch is READY. The Rows output has the participants' responses from the export.",
		itemIndex,
		deadline,
	});
	const method = typeof answer?.http_method === 'string' ? answer.http_method.toUpperCase() : 'GET';
	if (typeof answer?.url !== 'string' || answer.url === '' || method !== 'GET') {
		throw new ExportError(
			method === 'GET'
				? `Prolific answered the report request of ${describeTarget(target)} without a download link`
				: `Prolific asks for the report of ${describeTarget(target)} to be fetched with ${method.slice(0, 20)}, which this node does not do`,
			'The report API may have changed. Run the node again; if it keeps happening, update this node or report it to its maintainers.',
		);
	}
	return { status: 'complete', url: answer.url, expires_at: answer.expires_at };
}
