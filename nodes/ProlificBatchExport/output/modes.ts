import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { archiveItem } from './archive-item';
import { describeFilesInline, type DescribeFiles } from './attachments';
import { fileItems } from './file-items';
import { answerLimits } from './instructions';
import { selectedSubmissions, shapedOutput } from './shaped';
import { reportItems } from './report';
import { ROW_FILES_COLUMN, shapeRows } from './rows';
import type { Placed } from './agreement';
import type { ExportContents } from './contents';
import { descriptionKeys, type DescriptionKeys } from './response-keys';
import { shapeSubmissions, submissionPlacements } from './submissions';
import { summaryItem } from './summary';
import { batchAgreement, shapeTasks, TASK_RESPONSE_NAMES, taskChoiceGroups, taskPlacements } from './tasks';
import type { FileDescription, OutputMode, OutputRequest, OutputSettings, ReportRequest } from './types';

interface Applies {
	/** Include Files applies: each item carries its files as binaries. */
	attachesFiles: boolean;
	/** Add Agreement applies. */
	agreement: boolean;
	/** Response Keys applies: responses keyed by instruction ID or by description. */
	responseKeys: boolean;
	/** The trigger offers it: one item per new submission (or its rows). */
	trigger: boolean;
	/** Collections have it, not only batches. */
	collections: boolean;
}

/** Most outputs are read from an export's archive; the Report from the batch report, with no export job. */
type ModeBehaviour = Applies &
	(
		| { source: 'archive'; build(request: OutputRequest): Promise<INodeExecutionData[]> }
		| { source: 'report'; build(request: ReportRequest): Promise<INodeExecutionData[]> }
	);

/** A shaped item's files described in its JSON: a list beside the record. */
const filesField: DescribeFiles = (json, files) => ({ ...json, files });
/** A row is this node's own object: its files cell is set in place, not copied with it. */
const filesCell: DescribeFiles = (json: IDataObject, files: FileDescription[]) => {
	json[ROW_FILES_COLUMN] = describeFilesInline(files);
	return json;
};

/** Every output the node offers, and what applies to each: the one place that says so. */
export const OUTPUT_MODES: Record<OutputMode, ModeBehaviour> = {
	archive: {
		source: 'archive',
		attachesFiles: false,
		agreement: false,
		responseKeys: false,
		trigger: false,
		collections: true,
		build: async ({ ctx, contents, download, itemIndex }) => [await archiveItem(ctx, contents, download, itemIndex)],
	},
	files: { source: 'archive', attachesFiles: false, agreement: false, responseKeys: false, trigger: false, collections: true, build: fileItems },
	report: { source: 'report', attachesFiles: false, agreement: false, responseKeys: false, trigger: false, collections: false, build: reportItems },
	rows: {
		source: 'archive',
		attachesFiles: true,
		agreement: true,
		responseKeys: false,
		trigger: true,
		collections: true,
		build: shapedOutput(filesCell, async ({ contents, settings, select }) => {
			const { submissions, scope } = await selectedSubmissions(contents, select);
			const records = submissions.map(({ record }) => record);
			const taskColumn = contents.target.resource === 'batch' ? 'task_id' : contents.ids.idKey;
			return { shaped: shapeRows(records, await contents.info(), settings.includeFiles, settings.agreement, taskColumn), scope };
		}),
	},
	submissions: {
		source: 'archive',
		attachesFiles: true,
		agreement: false,
		responseKeys: true,
		trigger: true,
		collections: true,
		build: shapedOutput(filesField, async ({ contents, settings, select }) => {
			const { submissions, scope } = await selectedSubmissions(contents, select);
			// Keys from every submission in the window, not only the selected: a trigger's polls name an instruction alike.
			const all = (await contents.submissions()).map(({ record }) => record);
			const keys = await keysFor(settings, contents, () => submissionPlacements(all));
			return { shaped: shapeSubmissions(submissions, keys, contents.target.resource === 'batch'), scope };
		}),
	},
	summary: {
		source: 'archive',
		attachesFiles: false,
		agreement: false,
		responseKeys: false,
		trigger: false,
		collections: true,
		build: async ({ contents, download, itemIndex }) => [await summaryItem(contents, download, itemIndex)],
	},
	tasks: {
		source: 'archive',
		attachesFiles: true,
		agreement: true,
		responseKeys: true,
		trigger: false,
		collections: true,
		build: shapedOutput(filesField, async ({ contents, settings }) => {
			const tasks = await contents.tasks();
			const groups = settings.agreement ? taskChoiceGroups(tasks, answerLimits(await contents.info())) : undefined;
			const closing = groups && { agreement_summary: batchAgreement(groups) };
			const keys = await keysFor(settings, contents, () => taskPlacements(tasks), TASK_RESPONSE_NAMES);
			return { shaped: shapeTasks(tasks, groups, keys), closing };
		}),
	},
};

/** With Response Keys set to descriptions, each instruction's key; none when responses keep their IDs. */
async function keysFor(
	settings: OutputSettings,
	contents: ExportContents,
	placed: () => Placed[],
	taken?: string[],
): Promise<DescriptionKeys | undefined> {
	return settings.responseKeys === 'descriptions' ? descriptionKeys(await contents.info(), placed(), taken) : undefined;
}

/** The outputs a flag applies to, for the description's display options. */
export function modesWith(flag: keyof Applies): OutputMode[] {
	return (Object.keys(OUTPUT_MODES) as OutputMode[]).filter((mode) => OUTPUT_MODES[mode][flag]);
}

/** The outputs read from an export's archive (Download Export offers only these). */
export function archiveModes(): OutputMode[] {
	return (Object.keys(OUTPUT_MODES) as OutputMode[]).filter((mode) => OUTPUT_MODES[mode].source === 'archive');
}
