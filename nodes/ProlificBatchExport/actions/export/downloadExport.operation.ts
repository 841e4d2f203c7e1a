import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { exportToItems } from '../../export/pipeline';
import { archiveModes } from '../../output/modes';
import { optionalExportIdOf, readSettings } from '../../settings';
import * as common from '../common.descriptions';

export const description: INodeProperties[] = updateDisplayOptions({ show: { operation: ['downloadExport'] } }, [
	{
		displayName: 'Export ID',
		name: 'exportId',
		type: 'string',
		default: '',
		placeholder: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
		description:
			"The export_id that Start Export returned. Empty when Start Export answered 'complete' at once (no ID): Prolific is then asked again and hands back that finished export.",
	},
	common.outputOffering(archiveModes()),
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
		common.responseKeys,
		common.failedRetries,
		common.studyId,
		common.timeout,
		common.to,
	]),
]);

/**
 * The one-step export's outputs for an export started earlier; waits if it is still generating.
 * Without an export ID (Start Export got a finished export at once), or after the job failed, it
 * asks for the export again, with the filters. Like Export, it deletes a job this workflow created
 * once downloaded.
 */
export async function execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const settings = readSettings(ctx, itemIndex);
	const run = await exportToItems(ctx, settings, itemIndex, { exportId: optionalExportIdOf(ctx, itemIndex) });
	return run.items;
}
