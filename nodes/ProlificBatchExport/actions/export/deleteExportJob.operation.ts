import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { ExportApi } from '../../export/api';
import { RESOURCES } from '../../resources';
import { exportIdOf, targetOf } from '../../settings';
import { exportId } from './exportId.description';

export const description: INodeProperties[] = updateDisplayOptions({ show: { operation: ['deleteExportJob'] } }, [exportId]);

export async function execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = targetOf(ctx, itemIndex);
	const id = exportIdOf(ctx, itemIndex);
	await new ExportApi(ctx, target, itemIndex).delete(id);
	return [{ json: { [RESOURCES[target.resource].idKey]: target.id, export_id: id, deleted: true }, pairedItem: { item: itemIndex } }];
}
