import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { normalisePath } from '../archive/paths';
import { ExportArchive, type ArchiveLimits } from '../archive/reader';
import type { SubmissionRecord } from '../archive/records';
import type { DownloadedExport } from '../export/lifecycle';
import { Named, type ExportTarget } from '../export/target';
import { ExportContents } from './contents';
import { archiveItem } from './archive';
import { fileItems, type FileItemSettings } from './file-items';
import { BinaryWriter } from './binary-writer';
import { attachFiles, binaryOf, describeFilesInline, placeUnreferencedFiles, type AttachedFiles, type StrayScope } from './files';
import { ROW_FILES_COLUMN, shapeRows } from './rows';
import { shapeSubmissions, submissionFileRefs } from './submissions';
import { summaryItem } from './summary';
import { batchAgreement, shapeTasks } from './tasks';
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
	settings: { target: ExportTarget; limits: ArchiveLimits; output: OutputSettings },
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const archive = await ExportArchive.open(download.archive, settings.limits);
	return await buildOutput(ctx, archive, download, settings.target, settings.output, itemIndex);
}

/** Turns a downloaded export into the items of the chosen output, files attached. */
export async function buildOutput(
	ctx: OutputContext,
	archive: ExportArchive,
	download: DownloadedExport,
	target: ExportTarget,
	settings: OutputSettings,
	itemIndex: number,
	/** Which submissions to output (Submissions and Rows); all by default. */
	select?: (submissions: SubmissionRecord[]) => SubmissionRecord[],
): Promise<INodeExecutionData[]> {
	const contents = new ExportContents(archive, target);
	if (settings.mode === 'archive') return [await archiveItem(ctx, contents, download, itemIndex)];
	if (settings.mode === 'summary') return [await summaryItem(contents, download, itemIndex)];
	if (settings.mode === 'files') {
		const result = await fileItems(ctx, contents, settings, itemIndex);
		reportFileProblems(ctx, target, result.missing, result.unreferenced, true);
		return result.items;
	}

	const { shaped, scope, closing } = await shape(contents, settings, select);
	const last = closing ? [{ json: { ...contents.idField, ...closing }, pairedItem: { item: itemIndex } }] : [];
	if (!settings.includeFiles) {
		return [...shaped.map((item) => ({ json: item.json, pairedItem: { item: itemIndex } })), ...last];
	}
	const unreferenced = placeUnreferencedFiles(shaped, archive, scope);
	const writer = new BinaryWriter(ctx, archive);
	const attached: Array<AttachedFiles | undefined> = [];
	for (const item of shaped) {
		attached.push(item.files.length ? await attachFiles(writer, archive, item.files, settings.binaryPrefix) : undefined);
	}
	await writer.finish();
	let missing = 0;
	const items = shaped.map((item, index): INodeExecutionData => {
		const files = attached[index]?.files ?? [];
		missing += files.filter((file) => file.status === 'missing').length;
		// A row is this node's own object: its files cell is set in place, not copied with it.
		if (settings.mode === 'rows') item.json[ROW_FILES_COLUMN] = describeFilesInline(files);
		const json: IDataObject = settings.mode === 'rows' ? item.json : { ...item.json, files };
		const stored = attached[index]?.stored;
		return { json, ...(stored?.size && { binary: binaryOf(stored) }), pairedItem: { item: itemIndex } };
	});
	reportFileProblems(ctx, target, missing, unreferenced);
	return [...items, ...last];
}

async function shape(
	contents: ExportContents,
	settings: OutputSettings,
	select?: (submissions: SubmissionRecord[]) => SubmissionRecord[],
): Promise<{ shaped: ShapedItem[]; scope?: StrayScope; closing?: IDataObject }> {
	if (settings.mode === 'tasks') {
		const tasks = await contents.tasks();
		const closing = settings.agreement ? { agreement_summary: batchAgreement(tasks) } : undefined;
		return { shaped: shapeTasks(tasks, settings.agreement), closing };
	}
	const all = await contents.submissions();
	const chosen = select ? new Set(select(all.map(({ record }) => record))) : undefined;
	const submissions = chosen ? all.filter(({ record }) => chosen.has(record)) : all;
	// Files of submissions left out are not strays: only the export as a whole says what is.
	const scope = chosen && {
		referenced: new Set(
			all.flatMap(({ record }) => submissionFileRefs(record).map((file) => normalisePath(file.path))),
		),
	};
	if (settings.mode === 'rows') {
		const records = submissions.map(({ record }) => record);
		const taskColumn = contents.target.resource === 'batch' ? 'task_id' : contents.kind.idKey;
		const rows = shapeRows(records, await contents.info(), settings.includeFiles, settings.agreement, taskColumn);
		return { shaped: rows, scope };
	}
	return { shaped: shapeSubmissions(submissions), scope };
}

/** Missing and unreferenced files are marked in the items; this makes sure someone sees them. */
function reportFileProblems(
	ctx: OutputContext,
	target: ExportTarget,
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
			message: `${Named(target)}: ${problems.join('; ')}.${oneItemPerFile ? '' : " See the 'files' field of the items."}`,
			type: 'warning',
			location: 'outputPane',
		});
	}
}
