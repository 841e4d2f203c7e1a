import type { INodeProperties } from 'n8n-workflow';

import * as exportNode from '../ProlificBatchExport/description';

/** The export node's parameters that make sense on a schedule, without its operation switch. */
const TRIGGER_OUTPUTS = ['rows', 'submissions'];
const TRIGGER_OPTIONS = [
	'binaryPropertyPrefix',
	'deleteAfterDownload',
	'failedRetries',
	'freeExportSlot',
	'maxArchiveSizeMb',
	'maxFiles',
	'pollInterval',
	'studyId',
	'timeout',
];

const withoutDisplayOptions = ({ displayOptions: _, ...property }: INodeProperties): INodeProperties => property;

export const properties: INodeProperties[] = [
	withoutDisplayOptions(exportNode.batch),
	{
		...withoutDisplayOptions(exportNode.output),
		description: 'How each new submission comes out',
		options: (exportNode.output.options ?? []).filter(
			(choice) => 'value' in choice && TRIGGER_OUTPUTS.includes(String(choice.value)),
		),
	},
	withoutDisplayOptions(exportNode.includeFiles),
	{
		...withoutDisplayOptions(exportNode.options),
		options: (exportNode.options.options as INodeProperties[])
			.filter((option) => TRIGGER_OPTIONS.includes(option.name))
			.map(withoutDisplayOptions),
	},
];
