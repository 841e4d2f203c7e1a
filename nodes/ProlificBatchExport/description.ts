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

export type Operation =
	| 'export'
	| 'startExport'
	| 'getExportStatus'
	| 'downloadExport'
	| 'listExportJobs'
	| 'deleteExportJob';

/** Operations that end with the export's data as items. */
const DELIVERING: Operation[] = ['export', 'downloadExport'];
/** Operations that ask Prolific for a new export. */
const REQUESTING: Operation[] = ['export', 'startExport'];

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

const exportId: INodeProperties = {
	displayName: 'Export ID',
	name: 'exportId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
	description: 'The export_id that Start Export returned',
	displayOptions: { show: { operation: ['getExportStatus', 'deleteExportJob'] } },
};

/** Start Export gives no ID when Prolific answers with a finished export at once. */
const downloadExportId: INodeProperties = {
	displayName: 'Export ID',
	name: 'exportId',
	type: 'string',
	default: '',
	placeholder: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
	description:
		"The export_id that Start Export returned. Empty when Start Export answered 'complete' at once (no ID): Prolific is then asked again and hands back that finished export.",
	displayOptions: { show: { operation: ['downloadExport'] } },
};

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

export const output: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'options',
	default: 'submissions',
	displayOptions: { show: { operation: DELIVERING } },
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

export const includeFiles: INodeProperties = {
	displayName: 'Include Files',
	name: 'includeFiles',
	type: 'boolean',
	default: true,
	description:
		"Whether to attach every uploaded file to its item as binary data. The item's 'files' field says which binary property holds which file.",
	displayOptions: { show: { operation: DELIVERING, output: ['submissions', 'tasks', 'rows'] } },
};

export const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: { show: { operation: ['export', 'startExport', 'downloadExport'] } },
	options: [
		{
			displayName: 'Add Agreement',
			name: 'agreement',
			type: 'boolean',
			default: false,
			description:
				"Whether to add how participants agree on choice instructions: per task the count per option, the majority option(s) and their share; Tasks also end with one item holding each instruction's Fleiss' kappa",
			displayOptions: { show: { '/operation': DELIVERING, '/output': ['tasks', 'rows'] } },
		},
		{
			displayName: 'Binary Property',
			name: 'binaryProperty',
			type: 'string',
			default: 'data',
			description: 'Name of the binary property that holds each file',
			displayOptions: { show: { '/operation': DELIVERING, '/output': ['files'] } },
		},
		{
			displayName: 'Binary Property Prefix',
			name: 'binaryPropertyPrefix',
			type: 'string',
			default: 'file_',
			description: 'Files are attached as &lt;prefix&gt;0, &lt;prefix&gt;1, … in the order the responses list them',
			displayOptions: { show: { '/operation': DELIVERING, '/output': ['submissions', 'tasks', 'rows'] } },
		},
		{
			displayName: 'Delete Export Job After Download',
			name: 'deleteAfterDownload',
			type: 'boolean',
			default: true,
			description:
				"Whether to delete the export job once its archive is downloaded. Prolific's newer export API keeps at most 10 jobs per batch, so a scheduled workflow would otherwise run out of slots; servers that keep one export per batch are left alone.",
			displayOptions: { show: { '/operation': ['export'] } },
		},
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '{submission_id}_{original_name}',
			description:
				'Name given to each file. Placeholders: {submission_id}, {participant_id}, {task_id}, {instruction_id}, {index} (position in its response) and {original_name}. Names are made safe for file systems and unique within the export.',
			displayOptions: { show: { '/operation': DELIVERING, '/output': ['files'] } },
		},
		{
			displayName: 'Free Export Slot at Job Limit',
			name: 'freeExportSlot',
			type: 'boolean',
			default: true,
			description:
				"Whether to delete the batch's oldest finished export job and ask once more when Prolific answers that the batch has too many export jobs",
			displayOptions: { show: { '/operation': REQUESTING } },
		},
		{
			displayName: 'From Date',
			name: 'from',
			type: 'dateTime',
			default: '',
			description:
				'Only export submissions made at or after this time. Sent to Prolific as a filter; servers that do not support it export everything.',
			displayOptions: { show: { '/operation': REQUESTING } },
		},
		{
			displayName: 'Max Archive Size (MB)',
			name: 'maxArchiveSizeMb',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 2048,
			description:
				'Largest archive to download, and largest total of data to unpack from it. Protects small n8n instances from running out of memory.',
			displayOptions: { show: { '/operation': DELIVERING } },
		},
		{
			displayName: 'Max Files',
			name: 'maxFiles',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 10000,
			description: 'Most uploaded files to accept in one archive',
			displayOptions: { show: { '/operation': DELIVERING } },
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 5,
			description: 'How long to wait between status checks while Prolific builds the export (Prolific suggests 3–5 s)',
			displayOptions: { show: { '/operation': DELIVERING } },
		},
		{
			displayName: 'Retries for Failed Exports',
			name: 'failedRetries',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 2,
			description: 'How many times to request the export again when Prolific reports it failed',
			displayOptions: { show: { '/operation': DELIVERING } },
		},
		{
			displayName: 'Study ID',
			name: 'studyId',
			type: 'string',
			default: '',
			description:
				'Only export submissions from this study. Sent to Prolific as a filter; servers that do not support it export everything.',
			displayOptions: { show: { '/operation': REQUESTING } },
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 600,
			description: 'How long to wait for Prolific to finish building the export before giving up',
			displayOptions: { show: { '/operation': DELIVERING } },
		},
		{
			displayName: 'To Date',
			name: 'to',
			type: 'dateTime',
			default: '',
			description:
				'Only export submissions made before this time. Sent to Prolific as a filter; servers that do not support it export everything.',
			displayOptions: { show: { '/operation': REQUESTING } },
		},
	],
};

export const properties: INodeProperties[] = [
	resource,
	operation,
	batch,
	collection,
	exportId,
	downloadExportId,
	output,
	includeFiles,
	options,
];
