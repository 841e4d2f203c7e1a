import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { ArchiveError } from '../archive/errors';
import { normalisePath } from '../archive/paths';
import { ExportArchive, type ArchiveLimits } from '../archive/reader';
import { SUBMISSIONS_FILE, TASKS_FILE, type SubmissionRecord, type TaskRecord } from '../archive/records';
import type { DownloadedExport } from '../export/lifecycle';
import { archiveItem } from './archive';
import { fileItems, type FileItemSettings } from './file-items';
import { attachFiles, describeFilesInline, placeUnreferencedFiles, type StrayScope } from './files';
import { ROW_FILES_COLUMN, shapeRows } from './rows';
import { shapeSubmissions, submissionFileRefs } from './submissions';
import { summaryItem } from './summary';
import { placedResponses, shapeTasks } from './tasks';
import { groupChoices, instructionAgreement } from './agreement';
import type { OutputContext, OutputMode, ShapedItem } from './types';

export interface OutputSettings extends FileItemSettings {
	mode: OutputMode;
	includeFiles: boolean;
	binaryPrefix: string;
	/** Tasks and Rows: add how the responses to choice instructions agree. */
	agreement?: boolean;
}

/** Opens a downloaded export within the limits and turns it into the chosen output's items. */
export async function outputExport(
	ctx: OutputContext,
	download: DownloadedExport,
	settings: { batchId: string; limits: ArchiveLimits; output: OutputSettings },
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const archive = await ExportArchive.open(download.archive, settings.limits);
	return await buildOutput(ctx, archive, download, settings.batchId, settings.output, itemIndex);
}

/** Turns a downloaded export into the items of the chosen output, files attached. */
export async function buildOutput(
	ctx: OutputContext,
	archive: ExportArchive,
	download: DownloadedExport,
	batchId: string,
	settings: OutputSettings,
	itemIndex: number,
	/** Which submissions to output (Submissions and Rows); all by default. */
	select?: (submissions: SubmissionRecord[]) => SubmissionRecord[],
): Promise<INodeExecutionData[]> {
	if (settings.mode === 'archive') return [await archiveItem(ctx, archive, download, batchId, itemIndex)];
	if (settings.mode === 'summary') {
		const submissions = await readRecords<SubmissionRecord>(archive, SUBMISSIONS_FILE);
		return [summaryItem(archive, download, batchId, await archive.readBatch(), submissions, itemIndex)];
	}
	if (settings.mode === 'files') {
		const submissions = await readRecords<SubmissionRecord>(archive, SUBMISSIONS_FILE);
		const result = await fileItems(ctx, archive, await archive.readBatch(), submissions, settings, itemIndex);
		reportFileProblems(ctx, batchId, result.missing, result.unreferenced, true);
		return result.items;
	}

	const { shaped, scope, closing } = await shape(archive, settings, select);
	const last = closing ? [{ json: { batch_id: batchId, ...closing }, pairedItem: { item: itemIndex } }] : [];
	if (!settings.includeFiles) {
		return [...shaped.map((item) => ({ json: item.json, pairedItem: { item: itemIndex } })), ...last];
	}
	const unreferenced = placeUnreferencedFiles(shaped, archive, scope);
	let missing = 0;
	const items: INodeExecutionData[] = [];
	for (const item of shaped) {
		const { binary, files } = await attachFiles(ctx, archive, item.files, settings.binaryPrefix);
		missing += files.filter((file) => file.status === 'missing').length;
		const json: IDataObject =
			settings.mode === 'rows'
				? { ...item.json, [ROW_FILES_COLUMN]: describeFilesInline(files) }
				: { ...item.json, files };
		items.push({ json, binary, pairedItem: { item: itemIndex } });
	}
	reportFileProblems(ctx, batchId, missing, unreferenced);
	return [...items, ...last];
}

async function shape(
	archive: ExportArchive,
	settings: OutputSettings,
	select?: (submissions: SubmissionRecord[]) => SubmissionRecord[],
): Promise<{ shaped: ShapedItem[]; scope?: StrayScope; closing?: IDataObject }> {
	if (settings.mode === 'tasks') {
		const tasks = await readRecords<TaskRecord>(archive, TASKS_FILE);
		const closing = settings.agreement ? { agreement_summary: batchAgreement(tasks) } : undefined;
		return { shaped: shapeTasks(tasks, settings.agreement), closing };
	}
	const all = await readRecords<SubmissionRecord>(archive, SUBMISSIONS_FILE);
	const submissions = select ? select(all) : all;
	// Files of submissions left out are not strays: only the export as a whole says what is.
	const scope = select && {
		referenced: new Set(all.flatMap((record) => submissionFileRefs(record).map((file) => normalisePath(file.path)))),
	};
	if (settings.mode === 'rows') {
		const rows = shapeRows(submissions, await archive.readBatch(), settings.includeFiles, settings.agreement);
		return { shaped: rows, scope };
	}
	return { shaped: shapeSubmissions(submissions), scope };
}

/** Per choice instruction, agreement across all tasks: Fleiss' kappa where it applies. */
function batchAgreement(tasks: TaskRecord[]): IDataObject[] {
	return [...groupChoices(placedResponses(tasks))].map(([instructionId, byTask]) => {
		const [first] = [...byTask.values()].flat();
		return {
			instruction_id: instructionId,
			description: first?.description ?? null,
			type: first?.type ?? null,
			...instructionAgreement(byTask),
		};
	});
}

async function readRecords<T>(archive: ExportArchive, name: string): Promise<T[]> {
	const records = await archive.readJsonl<T>(name);
	if (records === undefined) {
		throw new ArchiveError(
			`The export archive has no ${name}`,
			'The archive is incomplete. Run the node again for a fresh export, or choose the Archive output to inspect it.',
		);
	}
	return records;
}

/** Missing and unreferenced files are marked in the items; this makes sure someone sees them. */
function reportFileProblems(
	ctx: OutputContext,
	batchId: string,
	missing: number,
	unreferenced: number,
	oneItemPerFile = false,
): void {
	const problems = [
		missing &&
			`${missing} response file(s) are missing from the archive (${oneItemPerFile ? 'they have no item' : "status 'missing'"})`,
		unreferenced &&
			`${unreferenced} file(s) in the archive are not referenced by any response (${oneItemPerFile ? 'marked unreferenced: true' : "status 'unreferenced'"})`,
	].filter(Boolean);
	if (problems.length && typeof ctx.addExecutionHints === 'function') {
		ctx.addExecutionHints({
			message: `Batch ${batchId}: ${problems.join('; ')}.${oneItemPerFile ? '' : " See the 'files' field of the items."}`,
			type: 'warning',
			location: 'outputPane',
		});
	}
}
