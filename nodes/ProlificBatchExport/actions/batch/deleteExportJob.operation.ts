import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ExportApi } from '../../export/api';
import { RESOURCES } from '../../export/target';
import { exportIdOf, targetOf } from '../../settings';

export async function execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = targetOf(ctx, itemIndex);
	const exportId = exportIdOf(ctx, itemIndex);
	await new ExportApi(ctx, target, itemIndex).delete(exportId);
	return [{ json: { [RESOURCES[target.resource].idKey]: target.id, export_id: exportId, deleted: true }, pairedItem: { item: itemIndex } }];
}
