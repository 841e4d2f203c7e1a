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
	// The archive is in memory now: the job has served its purpose and would hold a slot.
	if (settings.housekeeping.deleteAfterDownload) await deleteDownloadedJob(api, download.exportId);
	return await outputExport(ctx, download, settings, itemIndex);
}
