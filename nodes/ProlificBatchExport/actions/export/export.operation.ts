import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { exportToItems } from '../../export/pipeline';
import { readSettings } from '../../settings';
import * as common from '../common.descriptions';

export const description: INodeProperties[] = updateDisplayOptions({ show: { operation: ['export'] } }, [
	common.output,
	common.includeFiles,
	common.optionsOf([
		common.agreement,
		common.binaryProperty,
		common.binaryPropertyPrefix,
		common.deleteAfterDownload,
		common.fileName,
		common.freeAnyJob,
		common.freeExportSlot,
		common.from,
		common.maxArchiveSizeMb,
		common.maxFiles,
		common.pollInterval,
		common.failedRetries,
		common.studyId,
		common.timeout,
		common.to,
	]),
]);

/** Request, wait, download and output, in one step. */
export async function execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return (await exportToItems(ctx, readSettings(ctx, itemIndex), itemIndex)).items;
}
