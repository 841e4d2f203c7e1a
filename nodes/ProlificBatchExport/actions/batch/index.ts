import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Operation } from '../../description';
import * as deleteExportJob from './deleteExportJob.operation';
import * as downloadExport from './downloadExport.operation';
import * as exportBatch from './export.operation';
import * as getExportStatus from './getExportStatus.operation';
import * as listExportJobs from './listExportJobs.operation';
import * as startExport from './startExport.operation';

export const operations: Record<
	Operation,
	{ execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> }
> = {
	export: exportBatch,
	startExport,
	getExportStatus,
	downloadExport,
	listExportJobs,
	deleteExportJob,
};
