import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ExportApi } from '../../export/api';
import { deleteDownloadedJob } from '../../export/housekeeping';
import { runExport } from '../../export/lifecycle';
import { exportSteps } from '../../export/steps';
import { outputExport } from '../../output';
import { readSettings } from '../../settings';

/** Request, wait, download and output, in one step. */
export async function execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const settings = readSettings(ctx, itemIndex);
	const api = new ExportApi(ctx, settings.target, itemIndex);
	const download = await runExport(exportSteps(ctx, api, settings, itemIndex), settings.lifecycle, settings.target);
	const items = await outputExport(ctx, download, settings, itemIndex);
	// Only once its archive proved readable: a damaged download leaves the job to download again.
	if (settings.housekeeping.deleteAfterDownload) await deleteDownloadedJob(api, download.exportId);
	return items;
}
