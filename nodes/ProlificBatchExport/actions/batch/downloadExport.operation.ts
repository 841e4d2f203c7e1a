import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ExportApi } from '../../export/api';
import { runExport } from '../../export/lifecycle';
import { exportSteps } from '../../export/steps';
import { outputExport } from '../../output';
import { optionalExportIdOf, readSettings } from '../../settings';

/**
 * The one-step export's outputs for an export started earlier; waits if it is still generating.
 * Without an export ID (Start Export got a finished export at once) it asks for the export again.
 */
export async function execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const settings = readSettings(ctx, itemIndex);
	const api = new ExportApi(ctx, settings.target, itemIndex);
	const steps = exportSteps(ctx, api, settings, itemIndex);
	const download = await runExport(steps, settings.lifecycle, settings.target, optionalExportIdOf(ctx, itemIndex));
	return await outputExport(ctx, download, settings, itemIndex);
}
