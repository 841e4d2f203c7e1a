import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { BatchExportApi } from '../../export/api';
import { batchIdOf, exportIdOf } from '../../settings';

export async function execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const batchId = batchIdOf(ctx, itemIndex);
	const exportId = exportIdOf(ctx, itemIndex);
	await new BatchExportApi(ctx, batchId, itemIndex).delete(exportId);
	return [{ json: { batch_id: batchId, export_id: exportId, deleted: true }, pairedItem: { item: itemIndex } }];
}
