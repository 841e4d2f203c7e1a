import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { ExportApi } from '../../export/api';
import { exportIdOf, targetOf } from '../../settings';
import { exportId } from './exportId.description';
import { jobItem } from './jobItem';

export const description: INodeProperties[] = updateDisplayOptions({ show: { operation: ['getExportStatus'] } }, [exportId]);

export async function execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = targetOf(ctx, itemIndex);
	const id = exportIdOf(ctx, itemIndex);
	const job = await new ExportApi(ctx, target, itemIndex).status(id);
	return [jobItem(target, job, itemIndex, id)];
}
