import type { INodeExecutionData } from 'n8n-workflow';

import { OUTPUT_MODES } from './modes';
import { reportDamagedText } from './problems';
import type { OutputRequest } from './types';

export type { OutputRequest, OutputSettings } from './types';

/** Turns an opened export into the items of the chosen output, files attached. */
export async function buildOutput(request: OutputRequest): Promise<INodeExecutionData[]> {
	const items = await OUTPUT_MODES[request.settings.mode].build(request);
	const { ctx, contents } = request;
	reportDamagedText(ctx, contents.target, contents.archive.damagedText);
	return items;
}
