import { NodeApiError, NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { BatchExportApi } from '../../export/api';
import { batchIdOf } from '../../settings';

export async function execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const batchId = batchIdOf(ctx, itemIndex);
	const listed = await new BatchExportApi(ctx, batchId, itemIndex).list().then(
		(jobs) => ({ jobs }),
		(error: unknown) => ({ error }),
	);
	if ('jobs' in listed) {
		return listed.jobs.map((job) => ({ json: { batch_id: batchId, ...job }, pairedItem: { item: itemIndex } }));
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
