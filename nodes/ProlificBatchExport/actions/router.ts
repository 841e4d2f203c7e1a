import {
	NodeApiError,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { ArchiveError } from '../archive/errors';
import type { Operation } from '../description';
import { ExportError } from '../export/lifecycle';
import { CancelledError } from '../transport/backoff';
import { operations } from './batch';

/** Runs the operation once per input item; a failing item fails alone under "continue on fail". */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0, 'export') as Operation;
	const results: INodeExecutionData[] = [];
	const count = this.getInputData().length;
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			results.push(...(await operations[operation].execute(this, itemIndex)));
		} catch (caught) {
			const error = asNodeError(this, caught, itemIndex);
			if (!this.continueOnFail() || caught instanceof CancelledError) throw error;
			results.push({
				json: { error: error.message, description: error.description ?? null },
				pairedItem: { item: itemIndex },
			});
		}
	}
	return [results];
}

function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof ArchiveError || error instanceof ExportError) {
		return new NodeOperationError(ctx.getNode(), error.message, { description: error.hint, itemIndex });
	}
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}
