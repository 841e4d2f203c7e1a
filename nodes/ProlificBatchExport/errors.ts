import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { ArchiveError } from './archive/errors';
import { ExportError } from './export/lifecycle';
import { ReportError } from './output/csv';

/**
 * Any failure as the n8n error the executions list and error workflows show: the export's, the
 * archive's and the report's own errors keep their message and their hint (as the description).
 */
export function asNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof ArchiveError || error instanceof ExportError || error instanceof ReportError) {
		return new NodeOperationError(node, error.message, { description: error.hint, itemIndex });
	}
	return new NodeOperationError(node, error as Error, { itemIndex });
}
