import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { ExportArchive, type ArchiveLimits } from '../archive/reader';
import type { SubmissionRecord } from '../archive/records';
import { buildOutput, buildReport } from '../output';
import { ExportContents } from '../output/contents';
import { OUTPUT_MODES } from '../output/modes';
import type { OutputContext } from '../output/types';
import type { BatchExportSettings } from '../settings';
import { TempArchive } from '../temp-archive';
import type { DownloadedReport } from '../types';
import type { Context } from '../transport';
import { ExportApi } from './api';
import { timeWindow, warnIfStudyFilterIgnored } from './filters';
import { deleteDownloadedJob } from './housekeeping';
import { ExportLedger } from './ledger';
import { runExport } from './lifecycle';
import { fetchReport } from './report';
import { exportSteps } from './steps';

export interface PipelineOptions {
	/** An export requested earlier (Download Export): its status is polled, not requested again. */
	exportId?: string;
	/** Which submissions to output (the trigger's new ones); all by default. */
	select?: (submissions: SubmissionRecord[]) => SubmissionRecord[];
}

export interface PipelineResult {
	items: INodeExecutionData[];
	/** The export's records, each read once: the trigger remembers its submissions from here. */
	contents: ExportContents;
}

/**
 * The Export operation's items. The Report output branches off here: it is read from the batch
 * report, which needs no export job, so none is requested, waited for or deleted.
 */
export async function outputToItems(ctx: Context & OutputContext, settings: BatchExportSettings, itemIndex: number): Promise<INodeExecutionData[]> {
	if (OUTPUT_MODES[settings.output.mode].source === 'report') {
		// The report goes to disk too, and stays only while this run reads it.
		const file = await TempArchive.create('the batch report', 'csv');
		let report: DownloadedReport | undefined;
		try {
			report = await fetchReport(ctx, settings, itemIndex, file);
			return await buildReport({ ctx, target: settings.target, report, settings: settings.output, itemIndex });
		} finally {
			await report?.csv.close();
			await file.remove();
		}
	}
	return (await exportToItems(ctx, settings, itemIndex)).items;
}

/**
 * The one path from settings to items, for Export, Download Export and the trigger alike:
 * request (or resume) -> poll -> download -> open -> output -> housekeeping.
 */
export async function exportToItems(
	ctx: Context & OutputContext,
	settings: BatchExportSettings,
	itemIndex: number,
	options: PipelineOptions = {},
): Promise<PipelineResult> {
	if (OUTPUT_MODES[settings.output.mode].source !== 'archive') {
		// Only an expression can choose it here: Download Export and the trigger do not offer it.
		throw new NodeOperationError(ctx.getNode(), `The '${settings.output.mode}' output is not read from an export`, {
			description: "Choose it in the Export operation of the Prolific Batch Export node: it comes from Prolific's batch report, not from an export.",
			itemIndex,
		});
	}
	const api = new ExportApi(ctx, settings.target, itemIndex);
	const ledger = ExportLedger.of(ctx);
	// The archive goes to disk, never into memory, and stays only while this run reads it.
	const file = await TempArchive.create();
	let archive: ExportArchive | undefined;
	try {
		const steps = exportSteps(ctx, api, settings, itemIndex, ledger, file, options.exportId);
		const download = await runExport(steps, settings.lifecycle, settings.target, options.exportId);
		const read = async () => {
			archive = await openArchive(file, settings.limits);
			// Records are read while the archive downloads; uploads too when the download is slow,
			// else once it is all there (see ArchiveArrival.uploadsReadable).
			const withFiles = settings.output.includeFiles || settings.output.mode === 'files';
			if (withFiles) await file.arrival?.uploadsReadable();
			const contents = new ExportContents(archive, settings.target, timeWindow(settings.filters));
			const items = await buildOutput({ ctx, contents, download, settings: settings.output, itemIndex, select: options.select });
			// The trigger remembers the submissions once the archive is gone: read them while it is here
			// (a failure is kept in `contents` and comes again when the trigger asks).
			if (options.select) await contents.submissions().catch(() => undefined);
			// An output with files has had all but the directory at the end: it waits for that, so the
			// download's size and the directory read ahead are checked against what arrived. Records
			// only do not wait for the rest (the uploads).
			if (withFiles) await file.arrival?.whole();
			await archive.checkReadAhead();
			return { items, contents };
		};
		// A download that failed while its archive was read explains what went wrong better than the read.
		const { items, contents } = await read().catch((error: unknown) => {
			throw file.arrival?.failure ?? error;
		});
		// Before housekeeping: the job list may be what shows which filters the job applied.
		await warnIfStudyFilterIgnored(ctx, api, settings.filters, download, contents);
		ledger.downloaded(download.exportId);
		// Only once its archive proved readable: a damaged download leaves the job to download again.
		if (settings.housekeeping.deleteAfterDownload) await deleteDownloadedJob(api, ledger, download.exportId);
		ledger.commit();
		return { items, contents };
	} finally {
		await archive?.close();
		await file.remove();
	}
}

/**
 * The archive, read while it downloads when the storage host allows (see ArchiveArrival). Should
 * its directory, fetched ahead, not read, it is read again from the whole download: a host that
 * serves ranges of something else costs time, never the export.
 */
async function openArchive(file: TempArchive, limits: ArchiveLimits): Promise<ExportArchive> {
	const { arrival } = file;
	if (!arrival) return await ExportArchive.open(file.path, limits);
	return await ExportArchive.open(file.path, limits, arrival).catch(async () => {
		file.arrival = undefined;
		await arrival.whole();
		return await ExportArchive.open(file.path, limits);
	});
}
