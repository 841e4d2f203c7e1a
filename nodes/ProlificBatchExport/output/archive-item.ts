import { DateTime } from 'luxon';
import type { INodeExecutionData } from 'n8n-workflow';

import { normalisePath } from '../archive/paths';
import type { DownloadedExport } from '../types';
import type { ExportContents } from './contents';
import { answeredTasks, submissionFileRefs } from './submissions';
import { assertStorable } from './store-limits';
import type { OutputContext } from './types';

/** The official CLI's name: `<batch-id>-export-<YYYYMMDD-HHMMSS>.zip`, in the workflow's time zone. */
export function archiveFileName(batchId: string, timezone: string, now = DateTime.now()): string {
	return stampedFileName(batchId, 'export', 'zip', timezone, now);
}

/** `<batch-id>-<kind>-<YYYYMMDD-HHMMSS>.<extension>`, in the workflow's time zone. */
export function stampedFileName(batchId: string, kind: string, extension: string, timezone: string, now = DateTime.now()): string {
	return `${batchId}-${kind}-${now.setZone(timezone).toFormat('yyyyMMdd-HHmmss')}.${extension}`;
}

/** One item: the ZIP as binary `data`, and a summary of what it holds. */
export async function archiveItem(
	ctx: OutputContext,
	contents: ExportContents,
	download: DownloadedExport,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const { archive, ids, layout, target } = contents;
	await assertStorable(ctx, archive.size, 'The export archive', 'Use the Files or Submissions output instead (each upload its own binary)');
	const info = await contents.info();
	// The archive is delivered even without its records: counting them is a courtesy.
	const submissions = archive.has(layout.submissionsFile) ? await contents.submissions() : [];
	// Counted as the Summary output counts them: no second file to inflate.
	const tasks = answeredTasks(submissions.map(({ record }) => record));
	const referenced = submissions.flatMap(({ record }) => submissionFileRefs(record));
	const referencedPaths = new Set(referenced.map((file) => normalisePath(file.path)));
	const fileName = archiveFileName(target.id, ctx.getTimezone());
	const fileNames = await contents.fileNames();
	return {
		json: {
			...contents.idField,
			[ids.nameKey]: info.name ?? null,
			file_name: fileName,
			size_bytes: archive.size,
			export_id: download.exportId ?? null,
			exported_at: info.exported_at ?? null,
			expires_at: download.expiresAt ?? null,
			submissions: submissions.length,
			participants: new Set(submissions.map(({ record }) => record.participant_id)).size,
			...(layout.tasksFile && { tasks: tasks.size }),
			files: fileNames.length,
			missing_files: referenced.filter((file) => !archive.hasUpload(file.path)).length,
			unreferenced_files: fileNames.filter((name) => !referencedPaths.has(name)).length,
		},
		binary: { data: await ctx.helpers.prepareBinaryData(archive.rawStream(), fileName, 'application/zip') },
		pairedItem: { item: itemIndex },
	};
}
