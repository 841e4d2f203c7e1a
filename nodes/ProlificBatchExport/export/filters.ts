import { NodeApiError, type IDataObject } from 'n8n-workflow';

import { capitalised, describeTarget, RESOURCES } from '../resources';
import type { ExportContents, TimeWindow } from '../output/contents';
import type { OutputContext } from '../output/types';
import type { DownloadedExport } from '../types';
import type { ExportApi } from './api';

/** The From / To filter as the window the node applies to the records itself. */
export function timeWindow(filters: IDataObject): TimeWindow {
	const at = (value: unknown) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? Date.parse(value) : undefined);
	return { from: at(filters.from), to: at(filters.to) };
}

/**
 * Servers that follow the export guide take no filters and export everything. Dates the node
 * applies itself; a study it cannot (records carry no study ID), so when the server shows it did
 * not apply the Study ID filter, a warning says so rather than passing the whole batch on as if
 * filtered.
 */
export async function warnIfStudyFilterIgnored(
	ctx: OutputContext,
	api: ExportApi,
	filters: IDataObject,
	download: DownloadedExport,
	contents: ExportContents,
): Promise<void> {
	const studyId = filters.study_id;
	if (typeof studyId !== 'string' || !(await studyFilterIgnored(api, studyId, download, contents))) return;
	const { label } = RESOURCES[api.target.resource];
	ctx.addExecutionHints?.({
		message: `${capitalised(describeTarget(api.target))}: Prolific did not apply the Study ID filter (${studyId}): this server exports every submission of the ${label}, so these items are not limited to that study. Submissions carry no study ID, so the node cannot filter them itself.`,
		type: 'warning',
		location: 'outputPane',
	});
}

async function studyFilterIgnored(api: ExportApi, studyId: string, download: DownloadedExport, contents: ExportContents): Promise<boolean> {
	// Records outside the From / To window: the server applied no filter at all.
	if ((await contents.submissions()).length < (await contents.allSubmissions()).length) return true;
	if (download.filter !== undefined) return download.filter?.study_id !== studyId;
	// A finished export handed back without a job (the export guide's server) was never filtered.
	if (!download.exportId) return true;
	const jobs = await api.list().catch((error: unknown) => (error instanceof NodeApiError && error.httpCode === '405' ? [] : undefined));
	if (jobs === undefined) return false; // cannot tell: claim nothing
	const job = jobs.find((entry) => entry.export_id === download.exportId);
	return job?.filter?.study_id !== studyId;
}
