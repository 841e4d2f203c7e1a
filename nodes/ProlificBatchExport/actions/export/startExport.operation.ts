import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { ExportApi } from '../../export/api';
import { ExportLedger } from '../../export/ledger';
import { requestWithRoom } from '../../export/lifecycle';
import { requestSteps } from '../../export/steps';
import { readSettings } from '../../settings';
import * as common from '../common.descriptions';
import { jobItem } from './jobItem';

export const description: INodeProperties[] = updateDisplayOptions({ show: { operation: ['startExport'] } }, [
	common.optionsOf([common.freeAnyJob, common.freeExportSlot, common.from, common.studyId, common.to]),
]);

/** Asks for an export and returns at once: for exports longer than an execution should wait. */
export async function execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const settings = readSettings(ctx, itemIndex);
	const api = new ExportApi(ctx, settings.target, itemIndex);
	const deadline = Date.now() + settings.lifecycle.timeoutMs;
	const ledger = ExportLedger.of(ctx);
	const job = await requestWithRoom(requestSteps(api, settings, ledger), deadline);
	// Remembered as this workflow's, so Download Export and housekeeping may delete it later.
	ledger.commit();
	return [jobItem(settings.target, job, itemIndex)];
}
