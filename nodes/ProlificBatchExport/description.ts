import type { INodeProperties } from 'n8n-workflow';

export const UUID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** Kept equal to the defaults below (a lint rule wants literals there); settings.ts falls back to these. */
export const DEFAULTS = {
	pollIntervalSeconds: 5,
	timeoutSeconds: 600,
	failedRetries: 2,
	maxArchiveSizeMb: 2048,
	maxFiles: 10_000,
	binaryPropertyPrefix: 'file_',
	binaryProperty: 'data',
	fileName: '{submission_id}_{original_name}',
};

const batch: INodeProperties = {
	displayName: 'Batch',
	name: 'batch',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The AI Task Builder batch to export',
	// n8n anchors these validation patterns with ^…$ itself.
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a batch...',
			typeOptions: { searchListMethod: 'searchBatches', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: '0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b',
			validation: [
				{
					type: 'regex',
					properties: { regex: `\\s*${UUID_PATTERN}\\s*`, errorMessage: 'A batch ID is a UUID' },
				},
			],
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'https://app.prolific.com/researcher/.../batches/0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b',
			extractValue: { type: 'regex', regex: `(${UUID_PATTERN})` },
			validation: [
				{
					type: 'regex',
					properties: { regex: `https?://.*${UUID_PATTERN}.*`, errorMessage: 'Paste a Prolific URL that contains the batch ID' },
				},
			],
		},
	],
};

const output: INodeProperties = {
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
			name: 'Tasks',
			value: 'tasks',
			description: 'One item per task, with every participant response to it',
		},
	],
};

const includeFiles: INodeProperties = {
	displayName: 'Include Files',
	name: 'includeFiles',
	type: 'boolean',
	default: true,
	description:
		"Whether to attach every uploaded file to its item as binary data. The item's 'files' field says which binary property holds which file.",
	displayOptions: { hide: { output: ['archive', 'files'] } },
};

const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Binary Property',
			name: 'binaryProperty',
			type: 'string',
			default: 'data',
			description: 'Name of the binary property that holds each file',
			displayOptions: { show: { '/output': ['files'] } },
		},
		{
			displayName: 'Binary Property Prefix',
			name: 'binaryPropertyPrefix',
			type: 'string',
			default: 'file_',
			description: 'Files are attached as &lt;prefix&gt;0, &lt;prefix&gt;1, … in the order the responses list them',
			displayOptions: { show: { '/output': ['submissions', 'tasks', 'rows'] } },
		},
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '{submission_id}_{original_name}',
			description:
				'Name given to each file. Placeholders: {submission_id}, {participant_id}, {task_id}, {instruction_id}, {index} (position in its response) and {original_name}. Names are made safe for file systems and unique within the export.',
			displayOptions: { show: { '/output': ['files'] } },
		},
		{
			displayName: 'From Date',
			name: 'from',
			type: 'dateTime',
			default: '',
			description:
				'Only export submissions made at or after this time. Sent to Prolific as a filter; servers that do not support it export everything.',
		},
		{
			displayName: 'Max Archive Size (MB)',
			name: 'maxArchiveSizeMb',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 2048,
			description:
				'Largest archive to download, and largest total of data to unpack from it. Protects small n8n instances from running out of memory.',
		},
		{
			displayName: 'Max Files',
			name: 'maxFiles',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 10000,
			description: 'Most uploaded files to accept in one archive',
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 5,
			description: 'How long to wait between status checks while Prolific builds the export (Prolific suggests 3–5 s)',
		},
		{
			displayName: 'Retries for Failed Exports',
			name: 'failedRetries',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 2,
			description: 'How many times to request the export again when Prolific reports it failed',
		},
		{
			displayName: 'Study ID',
			name: 'studyId',
			type: 'string',
			default: '',
			description:
				'Only export submissions from this study. Sent to Prolific as a filter; servers that do not support it export everything.',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 600,
			description: 'How long to wait for Prolific to finish building the export before giving up',
		},
		{
			displayName: 'To Date',
			name: 'to',
			type: 'dateTime',
			default: '',
			description:
				'Only export submissions made before this time. Sent to Prolific as a filter; servers that do not support it export everything.',
		},
	],
};

export const properties: INodeProperties[] = [batch, output, includeFiles, options];
