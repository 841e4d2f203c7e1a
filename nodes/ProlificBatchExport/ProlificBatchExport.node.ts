import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { properties } from './actions/export';
import { router } from './actions/router';
import { searchBatches, searchCollections } from './methods/listSearch';

export class ProlificBatchExport implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Prolific Batch Export',
		name: 'prolificBatchExport',
		icon: { light: 'file:prolific.svg', dark: 'file:prolific.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle:
			'={{$parameter["operation"] + " " + $parameter["resource"] + ($parameter["output"] ? ": " + $parameter["output"] : "")}}',
		description:
			'Export a Prolific AI Task Builder batch or collection: its submissions, tasks or rows, with uploaded files attached',
		defaults: { name: 'Prolific Batch Export' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'prolificApi', required: true }],
		properties,
	};

	methods = { listSearch: { searchBatches, searchCollections } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
