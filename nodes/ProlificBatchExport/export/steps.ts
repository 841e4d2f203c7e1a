import type { IDataObject } from 'n8n-workflow';

import type { ArchiveLimits } from '../archive/reader';
import type { TempArchive } from '../temp-archive';
import { DeadlineError, wait } from '../transport/backoff';
import { cancelSignal, downloadArchive, DownloadExpiredError, type Context } from '../transport';
import { isJobLimitError, type ExportApi } from './api';
import { freeOldestJob } from './housekeeping';
import type { ExportSteps } from './lifecycle';

export interface StepSettings {
	filters: IDataObject;
	limits: ArchiveLimits;
	housekeeping: { freeExportSlot: boolean };
}

/** The steps that ask Prolific for an export, making room for it when allowed. */
export function requestSteps(api: ExportApi, settings: StepSettings): Pick<ExportSteps, 'requestExport' | 'freeSlot'> {
	return {
		requestExport: async (deadline) => await api.request(settings.filters, deadline),
		// A slot that cannot be freed leaves Prolific's own refusal to explain itself.
		freeSlot: async (error) =>
			settings.housekeeping.freeExportSlot &&
			isJobLimitError(error) &&
			(await freeOldestJob(api).catch(() => false)),
	};
}

/** Binds the lifecycle's steps to Prolific's endpoints, the download (into `file`) and housekeeping. */
export function exportSteps(ctx: Context, api: ExportApi, settings: StepSettings, itemIndex: number, file: TempArchive): ExportSteps {
	return {
		...requestSteps(api, settings),
		getExportStatus: async (exportId, deadline) => await api.status(exportId, deadline),
		download: async (url) => await downloadArchive(ctx, url, { maxBytes: settings.limits.maxBytes, itemIndex, file }),
		isExpiredLink: (error) => error instanceof DownloadExpiredError,
		isOutOfTime: (error) => error instanceof DeadlineError,
		wait: async (ms) => await wait(ms, cancelSignal(ctx)),
	};
}
