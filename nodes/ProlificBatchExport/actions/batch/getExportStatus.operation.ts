import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ExportApi } from '../../export/api';
import { exportIdOf, targetOf } from '../../settings';
import { jobItem } from './jobItem';

export async function execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = targetOf(ctx, itemIndex);
	const exportId = exportIdOf(ctx, itemIndex);
	const job = await new ExportApi(ctx, target, itemIndex).status(exportId);
	return [jobItem(target, job, itemIndex, exportId)];
}
