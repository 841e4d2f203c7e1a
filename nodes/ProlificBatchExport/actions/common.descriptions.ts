import type { INodeProperties } from 'n8n-workflow';

import { modesWith } from '../output/modes';
import type { OutputMode } from '../output/types';

/** The parameters more than one operation (or the trigger) shows; each operation picks its own. */

export const UUID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** Picks a batch or a collection: from a list, by its UUID, or from a pasted Prolific URL. */
function locator(resource: 'batch' | 'collection', searchListMethod: string): INodeProperties {
	const label = resource === 'batch' ? 'batch' : 'collection';
	return {
		displayName: resource === 'batch' ? 'Batch' : 'Collection',
		name: resource,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: `The AI Task Builder ${label} to export`,
		displayOptions: { show: { resource: [resource] } },
		// n8n anchors these validation patterns with ^…$ itself.
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select a ${label}...`,
				typeOptions: { searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: '0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b',
				validation: [
					{
						type: 'regex',
						properties: { regex: `\\s*${UUID_PATTERN}\\s*`, errorMessage: `A ${label} ID is a UUID` },
					},
				],
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: `https://app.prolific.com/researcher/.../${label}s/0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b`,
				extractValue: { type: 'regex', regex: `(${UUID_PATTERN})` },
				validation: [
					{
						type: 'regex',
						properties: {
							regex: `https?://.*${UUID_PATTERN}.*`,
							errorMessage: `Paste a Prolific URL that contains the ${label} ID`,
						},
					},
				],
			},
		],
	};
}

export const batch = locator('batch', 'searchBatches');
export const collection = locator('collection', 'searchCollections');

export const output: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'options',
	default: 'submissions',
	options: [
		{
			name: 'Archive',
			value: 'archive',
			description: 'One item with the ZIP as binary data and a summary of what it holds',
		},
		{
			name: 'Files',
			value: 'files',
			description:
				'One item per uploaded file, its bytes in one binary property: ready for Google Drive, S3, Dropbox or Write Files to Disk',
		},
		{
			name: 'Report',
			value: 'report',
			description:
				"Batches: one item per row of Prolific's batch report, the batch's dataset with the participants' responses beside it: ready for Google Sheets",
		},
		{
			name: 'Rows',
			value: 'rows',
			description:
				'One flat item per submission and task, one column per instruction: ready for Google Sheets',
		},
		{
			name: 'Submissions',
			value: 'submissions',
			description: "One item per participant submission, with all of that participant's responses",
		},
		{
			name: 'Summary',
			value: 'summary',
			description:
				'One item per export: counts, time span, completion per instruction and agreement, with a text ready for Slack or email',
		},
		{
			name: 'Tasks',
			value: 'tasks',
			description: 'One item per task, with every participant response to it',
		},
	],
};

/** The Output parameter offering only these outputs (Download Export and the trigger read exports only). */
export function outputOffering(modes: OutputMode[], description = output.description): INodeProperties {
	const offered = (output.options ?? []).filter((choice) => 'value' in choice && (modes as unknown[]).includes(choice.value));
	return { ...output, description, options: offered };
}

export const includeFiles: INodeProperties = {
	displayName: 'Include Files',
	name: 'includeFiles',
	type: 'boolean',
	default: true,
	description:
		"Whether to attach every uploaded file to its item as binary data. The item's 'files' field says which binary property holds which file.",
	displayOptions: { show: { output: modesWith('attachesFiles') } },
};

// The options, each defined once. Within an Options collection, '/output' is the node's Output.

export const agreement: INodeProperties = {
	displayName: 'Add Agreement',
	name: 'agreement',
	type: 'boolean',
	default: false,
	description:
		"Whether to add how participants agree on choice instructions: per task the count per option, the majority option(s), their share and the share of agreeing pairs; Tasks also end with one item holding each instruction's Fleiss' kappa with its standard error, 95% CI and label (per option for select all that apply)",
	displayOptions: { show: { '/output': modesWith('agreement') } },
};

export const attachReport: INodeProperties = {
	displayName: 'Attach Report CSV',
	name: 'attachReport',
	type: 'boolean',
	default: false,
	description:
		"Whether the first item also carries the report itself as a CSV file (binary property set by 'Binary Property'), for Google Drive, Extract From File or storage",
	displayOptions: { show: { '/output': ['report'] } },
};

export const binaryProperty: INodeProperties = {
	displayName: 'Binary Property',
	name: 'binaryProperty',
	type: 'string',
	default: 'data',
	description: 'Name of the binary property that holds each file (Files) or the report CSV (Report)',
	displayOptions: { show: { '/output': ['files', 'report'] } },
};

export const binaryPropertyPrefix: INodeProperties = {
	displayName: 'Binary Property Prefix',
	name: 'binaryPropertyPrefix',
	type: 'string',
	default: 'file_',
	description: 'Files are attached as &lt;prefix&gt;0, &lt;prefix&gt;1, … in the order the responses list them',
	displayOptions: { show: { '/output': modesWith('attachesFiles') } },
};

export const deleteAfterDownload: INodeProperties = {
	displayName: 'Delete Export Job After Download',
	name: 'deleteAfterDownload',
	type: 'boolean',
	default: true,
	description:
		"Whether to delete the export job once its archive is downloaded, if this workflow created it. Prolific's newer export API keeps at most 10 jobs per batch, so a scheduled workflow would otherwise run out of slots; servers that keep one export per batch are left alone.",
};

export const fileName: INodeProperties = {
	displayName: 'File Name',
	name: 'fileName',
	type: 'string',
	default: '{submission_id}_{original_name}',
	description:
		'Name given to each file. Placeholders: {submission_id}, {participant_id}, {task_id}, {instruction_id}, {index} (position in its response) and {original_name}. Names are made safe for file systems and unique within the export.',
	displayOptions: { show: { '/output': ['files'] } },
};

export const freeExportSlot: INodeProperties = {
	displayName: 'Free Export Slot at Job Limit',
	name: 'freeExportSlot',
	type: 'boolean',
	default: true,
	description:
		"Whether to delete the oldest finished export job this workflow created (and downloaded, or that failed) and ask once more when Prolific answers that the batch has too many export jobs",
};

export const freeAnyJob: INodeProperties = {
	displayName: 'Free Slot From Any Job',
	name: 'freeAnyJob',
	type: 'boolean',
	default: false,
	description:
		"Whether, at the job limit, the node may delete the batch's oldest finished export job even if this workflow did not create it. On a shared workspace that can be a colleague's export.",
};

export const from: INodeProperties = {
	displayName: 'From Date',
	name: 'from',
	type: 'dateTime',
	default: '',
	description:
		'Only export submissions made at or after this time. Sent to Prolific as a filter; servers that do not support it export everything.',
};

export const maxArchiveSizeMb: INodeProperties = {
	displayName: 'Max Archive Size (MB)',
	name: 'maxArchiveSizeMb',
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 2 },
	default: 20480,
	description:
		"Largest archive to download, and largest total of data to unpack from it. The archive is kept on disk in the system's temporary directory while it is read, never in memory.",
};

export const maxFiles: INodeProperties = {
	displayName: 'Max Files',
	name: 'maxFiles',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 10000,
	description: 'Most uploaded files to accept in one archive',
};

export const pollInterval: INodeProperties = {
	displayName: 'Poll Interval (Seconds)',
	name: 'pollInterval',
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 2 },
	default: 5,
	description: 'How long to wait between status checks while Prolific builds the export (Prolific suggests 3–5 s)',
};

export const failedRetries: INodeProperties = {
	displayName: 'Retries for Failed Exports',
	name: 'failedRetries',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 2,
	description: 'How many times to request the export again when Prolific reports it failed',
};

export const responseKeys: INodeProperties = {
	displayName: 'Response Keys',
	name: 'responseKeys',
	type: 'options',
	default: 'ids',
	options: [
		{
			name: 'IDs as Prolific Writes Them',
			value: 'ids',
			description: "Responses keyed by task ID, then instruction ID: Prolific's records unchanged",
		},
		{
			name: 'Instruction Descriptions',
			value: 'descriptions',
			description:
				'Responses keyed by the instruction\'s description (made unique as Rows columns are), plus an "answers" object per task holding each answer as flat text, as Rows writes it',
		},
	],
	description: 'How to key each response: easier mapping in the editor, or exactly as Prolific writes it',
	displayOptions: { show: { '/output': modesWith('responseKeys') } },
};

export const studyId: INodeProperties = {
	displayName: 'Study ID',
	name: 'studyId',
	type: 'string',
	default: '',
	description:
		'Only export submissions from this study. Sent to Prolific as a filter; servers that do not support it export everything.',
};

export const timeout: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 2 },
	default: 600,
	description: 'How long to wait for Prolific to finish building the export before giving up',
};

export const to: INodeProperties = {
	displayName: 'To Date',
	name: 'to',
	type: 'dateTime',
	default: '',
	description:
		'Only export submissions made before this time. Sent to Prolific as a filter; servers that do not support it export everything.',
};

/** The Options collection of an operation or the trigger, with the options that apply there. */
export function optionsOf(choices: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		// n8n lists a collection's options in the order given: alphabetical by display name.
		options: [...choices].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

/** What settings.ts falls back to: the defaults the descriptions above show, so the two cannot drift. */
export const DEFAULTS = {
	pollIntervalSeconds: pollInterval.default as number,
	timeoutSeconds: timeout.default as number,
	failedRetries: failedRetries.default as number,
	maxArchiveSizeMb: maxArchiveSizeMb.default as number,
	maxFiles: maxFiles.default as number,
	binaryPropertyPrefix: binaryPropertyPrefix.default as string,
	binaryProperty: binaryProperty.default as string,
	fileName: fileName.default as string,
};
