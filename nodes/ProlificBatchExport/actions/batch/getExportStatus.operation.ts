import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { BatchExportApi } from '../../export/api';
import { batchIdOf, exportIdOf } from '../../settings';
import { jobItem } from './jobItem';

export async function execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const batchId = batchIdOf(ctx, itemIndex);
	const exportId = exportIdOf(ctx, itemIndex);
	const job = await new BatchExportApi(ctx, batchId, itemIndex).status(exportId);
	return [jobItem(batchId, job, itemIndex, exportId)];
}
