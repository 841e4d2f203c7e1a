import { DateTime } from 'luxon';
import type { INodeExecutionData } from 'n8n-workflow';

import type { ExportArchive } from '../archive/reader';
import type { SubmissionRecord, TaskRecord } from '../archive/records';
import { SUBMISSIONS_FILE, TASKS_FILE } from '../archive/records';
import type { DownloadedExport } from '../export/lifecycle';
import { normalisePath } from '../archive/paths';
import { shapeSubmissions } from './submissions';
import type { OutputContext } from './types';

/** The official CLI's name: `<batch-id>-export-<YYYYMMDD-HHMMSS>.zip`, in the workflow's time zone. */
export function archiveFileName(batchId: string, timezone: string, now = DateTime.now()): string {
	return `${batchId}-export-${now.setZone(timezone).toFormat('yyyyMMdd-HHmmss')}.zip`;
}

/** One item: the ZIP as binary `data`, and a summary of what it holds. */
export async function archiveItem(
	ctx: OutputContext,
	archive: ExportArchive,
	download: DownloadedExport,
	batchId: string,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const batch = await archive.readBatch();
	const submissions = (await archive.readJsonl<SubmissionRecord>(SUBMISSIONS_FILE)) ?? [];
	const tasks = (await archive.readJsonl<TaskRecord>(TASKS_FILE)) ?? [];
	const referenced = shapeSubmissions(submissions).flatMap((item) => item.files);
	const referencedPaths = new Set(referenced.map((file) => normalisePath(file.path)));
	const fileName = archiveFileName(batchId, ctx.getTimezone());
	return {
		json: {
			batch_id: batchId,
			batch_name: batch.name ?? null,
			file_name: fileName,
			size_bytes: download.archive.length,
			export_id: download.exportId ?? null,
			exported_at: batch.exported_at ?? null,
			expires_at: download.expiresAt ?? null,
			submissions: submissions.length,
			participants: new Set(submissions.map((record) => record.participant_id)).size,
			tasks: tasks.length,
			files: archive.fileNames.length,
			missing_files: referenced.filter((file) => !archive.has(file.path)).length,
			unreferenced_files: archive.fileNames.filter((name) => !referencedPaths.has(name)).length,
		},
		binary: { data: await ctx.helpers.prepareBinaryData(download.archive, fileName, 'application/zip') },
		pairedItem: { item: itemIndex },
	};
}
