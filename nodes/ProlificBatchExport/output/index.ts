import type { INodeExecutionData } from 'n8n-workflow';

import { OUTPUT_MODES } from './modes';
import { reportDamagedText } from './problems';
import type { OutputRequest, ReportRequest } from './types';

export type { OutputRequest, OutputSettings, ReportRequest } from './types';

/** Turns an opened export into the items of the chosen output, files attached. */
export async function buildOutput(request: OutputRequest): Promise<INodeExecutionData[]> {
	const mode = OUTPUT_MODES[request.settings.mode];
	if (mode.source !== 'archive') throw new Error(`The ${request.settings.mode} output is not read from an export`);
	const items = await mode.build(request);
	const { ctx, contents } = request;
	reportDamagedText(ctx, contents.target, contents.archive.damagedText);
	return items;
}

/** Turns a downloaded batch report into the Report output's items. */
export async function buildReport(request: ReportRequest): Promise<INodeExecutionData[]> {
	const mode = OUTPUT_MODES[request.settings.mode];
	if (mode.source !== 'report') throw new Error(`The ${request.settings.mode} output is not read from the batch report`);
	return await mode.build(request);
}
