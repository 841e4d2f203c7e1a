import type { IDataObject } from 'n8n-workflow';

import type { ArchiveLimits } from '../archive/reader';
import type { TempArchive } from '../temp-archive';
import { DeadlineError, wait } from '../transport/backoff';
import { cancelSignal, downloadArchive, DownloadExpiredError, type Context } from '../transport';
import { isNotFound } from '../transport/errors';
import { isJobLimitError, type ExportApi } from './api';
import { freeSlot } from './housekeeping';
import type { ExportLedger } from './ledger';
import type { ExportSteps } from './lifecycle';

export interface StepSettings {
	filters: IDataObject;
	limits: ArchiveLimits;
	housekeeping: { freeExportSlot: boolean; freeAnyJob: boolean };
}

/**
 * The steps that ask Prolific for an export, making room for it when allowed. `resumed`: the
 * export Download Export picks up; should it have failed or vanished, it is requested again with
 * the filters given, or else with the filters that job had, never without them.
 */
export function requestSteps(
	api: ExportApi,
	settings: StepSettings,
	ledger: ExportLedger,
	resumed?: string,
): Pick<ExportSteps, 'requestExport' | 'freeSlot'> {
	let filters: Promise<IDataObject> | undefined;
	// Read before anything of the resumed job is forgotten: it may vanish while we wait for it.
	const remembered = resumed ? ledger.filtersOf(resumed) : undefined;
	const filtersToSend = async () =>
		await (filters ??= Object.keys(settings.filters).length || !resumed ? Promise.resolve(settings.filters) : Promise.resolve(remembered ?? jobFilter(api, resumed)));
	return {
		requestExport: async (deadline) => {
			const sent = await filtersToSend();
			const job = await api.request(sent, deadline);
			ledger.created(job.export_id, sent);
			return job;
		},
		// A server without a job list leaves Prolific's own refusal to explain itself.
		freeSlot: async (error) =>
			settings.housekeeping.freeExportSlot &&
			isJobLimitError(error) &&
			(await freeSlot(api, ledger, error, settings.housekeeping.freeAnyJob)),
	};
}

/** Binds the lifecycle's steps to Prolific's endpoints, the download (into `file`) and housekeeping. */
export function exportSteps(
	ctx: Context,
	api: ExportApi,
	settings: StepSettings,
	itemIndex: number,
	ledger: ExportLedger,
	file: TempArchive,
	resumed?: string,
): ExportSteps {
	return {
		...requestSteps(api, settings, ledger, resumed),
		getExportStatus: async (exportId, deadline) =>
			await api.status(exportId, deadline).catch((error: unknown) => {
				// Deleted under us: nothing of it is left for housekeeping to free.
				if (isNotFound(error)) ledger.removed(exportId);
				throw error;
			}),
		// Answers as soon as the archive may be read (`file.arrival`), or else once it is all there.
		download: async (url, exportId) =>
			await new Promise<number>((resolve, reject) => {
				const download = downloadArchive(ctx, url, {
					maxBytes: settings.limits.maxBytes,
					itemIndex,
					file,
					arriving: (arrival) => resolve(arrival.size),
					refreshLink: exportId ? async () => (await api.status(exportId)).url : undefined,
				});
				file.downloading(download);
				download.then(resolve, reject);
			}),
		isExpiredLink: (error) => error instanceof DownloadExpiredError,
		isOutOfTime: (error) => error instanceof DeadlineError,
		isGone: isNotFound,
		// Handed to this workflow's POST, so it existed: a 404 means it was deleted since.
		existed: (exportId) => ledger.isOurs(exportId),
		wait: async (ms) => await wait(ms, cancelSignal(ctx)),
	};
}

/** The filters a job was made with, as the server lists them; none where it lists no jobs. */
async function jobFilter(api: ExportApi, exportId: string): Promise<IDataObject> {
	const jobs = await api.list().catch(() => []);
	const filter = jobs.find((job) => job.export_id === exportId)?.filter ?? {};
	return Object.fromEntries(Object.entries(filter).filter(([key, value]) => ['study_id', 'from', 'to'].includes(key) && typeof value === 'string'));
}
