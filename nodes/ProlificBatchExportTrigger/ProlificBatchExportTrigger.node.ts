import {
	NodeConnectionTypes,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';

import { searchBatches } from '../ProlificBatchExport/methods/listSearch';
import { properties } from './description';
import { pollNewSubmissions } from './poll';

export class ProlificBatchExportTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Prolific Batch Export Trigger',
		name: 'prolificBatchExportTrigger',
		icon: { light: 'file:prolific.svg', dark: 'file:prolific.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"New " + $parameter["output"]}}',
		description: 'Starts the workflow when a Prolific AI Task Builder batch has new submissions',
		defaults: { name: 'Prolific Batch Export Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'prolificApi', required: true }],
		properties,
	};

	methods = { listSearch: { searchBatches } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollNewSubmissions.call(this);
	}
}
