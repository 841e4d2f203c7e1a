import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { outputToItems } from '../../export/pipeline';
import { readSettings } from '../../settings';
import * as common from '../common.descriptions';

/** An option of the export job or its archive: the Report output, read from the batch report, has none. */
const notForReport = (property: INodeProperties): INodeProperties => ({
	...property,
	displayOptions: { ...property.displayOptions, hide: { '/output': ['report'] } },
});

export const description: INodeProperties[] = updateDisplayOptions({ show: { operation: ['export'] } }, [
	common.output,
	common.includeFiles,
	common.optionsOf([
		common.agreement,
		common.attachReport,
		common.binaryProperty,
		common.binaryPropertyPrefix,
		common.fileName,
		common.freeAnyJob,
		common.maxArchiveSizeMb,
		common.responseKeys,
		...[
			common.deleteAfterDownload,
			common.freeExportSlot,
			common.from,
			common.maxFiles,
			common.pollInterval,
			common.failedRetries,
			common.studyId,
			common.timeout,
			common.to,
		].map(notForReport),
	]),
]);

/** Request, wait, download and output, in one step. */
export async function execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	return await outputToItems(ctx, readSettings(ctx, itemIndex), itemIndex);
}
