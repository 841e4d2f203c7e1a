import type { INodeExecutionData } from 'n8n-workflow';

import { ExportArchive } from '../archive/reader';
import type { SubmissionRecord } from '../archive/records';
import { buildOutput } from '../output';
import { ExportContents } from '../output/contents';
import type { OutputContext } from '../output/types';
import type { BatchExportSettings } from '../settings';
import { TempArchive } from '../temp-archive';
import type { Context } from '../transport';
import { ExportApi } from './api';
import { deleteDownloadedJob } from './housekeeping';
import { runExport } from './lifecycle';
import { exportSteps } from './steps';

export interface PipelineOptions {
	/** An export requested earlier (Download Export): its status is polled, not requested again. */
	exportId?: string;
	/** Leave the job on Prolific after download, whatever Delete Export Job After Download says. */
	keepJob?: boolean;
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
	// The archive goes to disk, never into memory, and stays only while this run reads it.
	const file = await TempArchive.create();
	let archive: ExportArchive | undefined;
	try {
		const steps = exportSteps(ctx, api, settings, itemIndex, file);
		const download = await runExport(steps, settings.lifecycle, settings.target, options.exportId);
		archive = await ExportArchive.open(file.path, settings.limits);
		const contents = new ExportContents(archive, settings.target);
		const items = await buildOutput({ ctx, contents, download, settings: settings.output, itemIndex, select: options.select });
		// The trigger remembers the submissions once the archive is gone: read them while it is here
		// (a failure is kept in `contents` and comes again when the trigger asks).
		if (options.select) await contents.submissions().catch(() => undefined);
		// Only once its archive proved readable: a damaged download leaves the job to download again.
		if (settings.housekeeping.deleteAfterDownload && !options.keepJob) await deleteDownloadedJob(api, download.exportId);
		return { items, contents };
	} finally {
		await archive?.close();
		await file.remove();
	}
}
