import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { asNodeError } from '../errors';
import { CancelledError } from '../transport/backoff';
import { operations, type Operation } from './export';

/** Runs the operation once per input item; a failing item fails alone under "continue on fail". */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0, 'export') as Operation;
	const results: INodeExecutionData[] = [];
	const count = this.getInputData().length;
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			results.push(...(await operations[operation].execute(this, itemIndex)));
		} catch (caught) {
			const error = asNodeError(this.getNode(), caught, itemIndex);
			if (!this.continueOnFail() || caught instanceof CancelledError) throw error;
			results.push({
				json: { error: error.message, description: error.description ?? null },
				pairedItem: { item: itemIndex },
			});
		}
	}
	return [results];
}
