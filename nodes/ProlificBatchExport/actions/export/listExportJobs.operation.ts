import { NodeApiError, NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { ExportApi } from '../../export/api';
import { RESOURCES } from '../../resources';
import { targetOf } from '../../settings';

/** No parameters beyond the batch or collection. */
export const description: INodeProperties[] = [];

export async function execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const target = targetOf(ctx, itemIndex);
	const listed = await new ExportApi(ctx, target, itemIndex).list().then(
		(jobs) => ({ jobs }),
		(error: unknown) => ({ error }),
	);
	if ('jobs' in listed) {
		return listed.jobs.map((job) => ({ json: { [RESOURCES[target.resource].idKey]: target.id, ...job }, pairedItem: { item: itemIndex } }));
	}
	// Servers that follow the export guide keep one export per batch and have no job list.
	if (listed.error instanceof NodeApiError && listed.error.httpCode === '405') {
		throw new NodeOperationError(ctx.getNode(), 'This Prolific server does not list export jobs', {
			description:
				'It keeps one export per batch, so there are no jobs to list or delete: use Start Export and Get Export Status instead.',
			itemIndex,
		});
	}
	throw listed.error;
}
