import type { IDataObject } from 'n8n-workflow';

import type { ArchiveLimits } from '../archive/reader';
import { DeadlineError, wait } from '../transport/backoff';
import { cancelSignal, downloadArchive, DownloadExpiredError, type Context } from '../transport';
import { isJobLimitError, type ExportApi } from './api';
import { freeSlot } from './housekeeping';
import type { ExportLedger } from './ledger';
import type { ExportSteps } from './lifecycle';

export interface StepSettings {
	filters: IDataObject;
	limits: ArchiveLimits;
	housekeeping: { freeExportSlot: boolean; freeAnyJob: boolean };
}

/** Binds the lifecycle's steps to Prolific's endpoints, the download and housekeeping. */
export function exportSteps(
	ctx: Context,
	api: ExportApi,
	settings: StepSettings,
	itemIndex: number,
	ledger: ExportLedger,
): ExportSteps {
	return {
		requestExport: async (deadline) => {
			const job = await api.request(settings.filters, deadline);
			ledger.created(job.export_id);
			return job;
		},
		getExportStatus: async (exportId, deadline) => await api.status(exportId, deadline),
		download: async (url) => await downloadArchive(ctx, url, { maxBytes: settings.limits.maxBytes, itemIndex }),
		isExpiredLink: (error) => error instanceof DownloadExpiredError,
		isOutOfTime: (error) => error instanceof DeadlineError,
		wait: async (ms) => await wait(ms, cancelSignal(ctx)),
		// A server without a job list leaves Prolific's own refusal to explain itself.
		freeSlot: async (error) =>
			settings.housekeeping.freeExportSlot &&
			isJobLimitError(error) &&
			(await freeSlot(api, ledger, error, settings.housekeeping.freeAnyJob)),
	};
}
