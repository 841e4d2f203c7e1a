import type { INodeExecutionData } from 'n8n-workflow';

import { ExportArchive } from '../archive/reader';
import type { SubmissionRecord } from '../archive/records';
import { buildOutput } from '../output';
import { ExportContents } from '../output/contents';
import type { OutputContext } from '../output/types';
import type { BatchExportSettings } from '../settings';
import type { Context } from '../transport';
import { ExportApi } from './api';
import { timeWindow, warnIfStudyFilterIgnored } from './filters';
import { deleteDownloadedJob } from './housekeeping';
import { ExportLedger } from './ledger';
import { runExport } from './lifecycle';
import { exportSteps } from './steps';

export interface PipelineOptions {
	/** An export requested earlier (Download Export): its status is polled, not requested again. */
	exportId?: string;
	/** Which submissions to output (the trigger's new ones); all by default. */
	select?: (submissions: SubmissionRecord[]) => SubmissionRecord[];
}

export interface PipelineResult {
	items: INodeExecutionData[];
	/** The export's records, each read once: the trigger remembers its submissions from here. */
	contents: ExportContents;
}

/**
 * The one path from settings to items, for Export, Download Export and the trigger alike:
 * request (or resume) -> poll -> download -> open -> output -> housekeeping.
 */
export async function exportToItems(
	ctx: Context & OutputContext,
	settings: BatchExportSettings,
	itemIndex: number,
	options: PipelineOptions = {},
): Promise<PipelineResult> {
	const api = new ExportApi(ctx, settings.target, itemIndex);
	const ledger = ExportLedger.of(ctx);
	const steps = exportSteps(ctx, api, settings, itemIndex, ledger, options.exportId);
	const download = await runExport(steps, settings.lifecycle, settings.target, options.exportId);
	const archive = await ExportArchive.open(download.archive, settings.limits);
	const contents = new ExportContents(archive, settings.target, timeWindow(settings.filters));
	const items = await buildOutput({ ctx, contents, download, settings: settings.output, itemIndex, select: options.select });
	// Before housekeeping: the job list may be what shows which filters the job applied.
	await warnIfStudyFilterIgnored(ctx, api, settings.filters, download, contents);
	ledger.downloaded(download.exportId);
	// Only once its archive proved readable: a damaged download leaves the job to download again.
	if (settings.housekeeping.deleteAfterDownload) await deleteDownloadedJob(api, ledger, download.exportId);
	ledger.commit();
	return { items, contents };
}
