import type { INodeProperties } from 'n8n-workflow';

import * as common from '../ProlificBatchExport/actions/common.descriptions';
import { modesWith } from '../ProlificBatchExport/output/modes';

/** The export node's parameters that make sense on a schedule, without its operation switch. */
const withoutDisplayOptions = ({ displayOptions: _, ...property }: INodeProperties): INodeProperties => property;

const triggerOutputs = modesWith('trigger');

export const properties: INodeProperties[] = [
	withoutDisplayOptions(common.batch),
	{
		...common.output,
		description: 'How each new submission comes out',
		options: (common.output.options ?? []).filter(
			(choice) => 'value' in choice && (triggerOutputs as string[]).includes(String(choice.value)),
		),
	},
	withoutDisplayOptions(common.includeFiles),
	common.optionsOf(
		[
			common.binaryPropertyPrefix,
			common.deleteAfterDownload,
			common.failedRetries,
			common.freeAnyJob,
			common.freeExportSlot,
			common.maxArchiveSizeMb,
			common.maxFiles,
			common.pollInterval,
			common.studyId,
			common.timeout,
		].map(withoutDisplayOptions),
	),
];
