import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { batch, collection } from '../common.descriptions';
import * as deleteExportJob from './deleteExportJob.operation';
import * as downloadExport from './downloadExport.operation';
import * as exportData from './export.operation';
import * as getExportStatus from './getExportStatus.operation';
import * as listExportJobs from './listExportJobs.operation';
import * as startExport from './startExport.operation';

/** The operations on a batch's or a collection's exports, each with its parameters and its run. */
export const operations = {
	export: exportData,
	startExport,
	getExportStatus,
	downloadExport,
	listExportJobs,
	deleteExportJob,
} satisfies Record<
	string,
	{ description: INodeProperties[]; execute(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> }
>;

export type Operation = keyof typeof operations;

const resource: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	default: 'batch',
	options: [
		{ name: 'Batch', value: 'batch', description: 'An AI Task Builder batch: tasks answered by participants' },
		{
			name: 'Collection',
			value: 'collection',
			description: 'An AI Task Builder collection: content participants submit themselves (no tasks)',
		},
	],
};

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'export',
	options: [
		{
			name: 'Delete Export Job',
			value: 'deleteExportJob',
			action: 'Delete an export job',
			description: 'Free one of the batch’s export slots (servers that keep several export jobs per batch)',
		},
		{
			name: 'Download Export',
			value: 'downloadExport',
			action: 'Download an export',
			description: 'Get the data of an export started earlier, waiting for it if it is still generating',
		},
		{
			name: 'Export',
			value: 'export',
			action: 'Export a batch and get its data',
			description: 'Request an export, wait for it, download it and output its data: all in one step',
		},
		{
			name: 'Get Export Status',
			value: 'getExportStatus',
			action: 'Get the status of an export',
			description: 'Whether an export is still generating, complete (with its download link) or failed',
		},
		{
			name: 'List Export Jobs',
			value: 'listExportJobs',
			action: 'List the export jobs of a batch',
			description: 'One item per export job of the batch, newest first',
		},
		{
			name: 'Start Export',
			value: 'startExport',
			action: 'Start an export',
			description: 'Ask Prolific for an export and return its export ID at once, without waiting',
		},
	],
};

export const properties: INodeProperties[] = [
	resource,
	operation,
	batch,
	collection,
	...Object.values(operations).flatMap((op) => op.description),
];
