import type { INodeProperties } from 'n8n-workflow';

import * as common from '../ProlificBatchExport/actions/common.descriptions';
import { modesWith } from '../ProlificBatchExport/output/modes';

/** The export node's parameters that make sense on a schedule, without its operation switch. */
const withoutDisplayOptions = ({ displayOptions: _, ...property }: INodeProperties): INodeProperties => property;

export const properties: INodeProperties[] = [
	withoutDisplayOptions(common.batch),
	common.outputOffering(modesWith('trigger'), 'How each new submission comes out'),
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
		]
			.map(withoutDisplayOptions)
			// Shown for Submissions only: the trigger's other output, Rows, is keyed by description already.
			.concat(common.responseKeys),
	),
];
