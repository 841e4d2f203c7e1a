import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { ExportArchive } from '../ProlificBatchExport/archive/reader';
import { SUBMISSIONS_FILE, type SubmissionRecord } from '../ProlificBatchExport/archive/records';
import { ExportApi } from '../ProlificBatchExport/export/api';
import { deleteDownloadedJob } from '../ProlificBatchExport/export/housekeeping';
import { runExport } from '../ProlificBatchExport/export/lifecycle';
import { exportSteps } from '../ProlificBatchExport/export/steps';
import { buildOutput } from '../ProlificBatchExport/output';
import { readSettings } from '../ProlificBatchExport/settings';
import { newSubmissions, rememberSubmissions, sinceFilter, type SeenSubmissions } from './seen';

/** How many of the newest submissions a manual test run shows, so fields can be mapped. */
const SAMPLE_SIZE = 5;

/**
 * One poll: export the batch (asking only for recent submissions where the server filters),
 * emit the submissions this trigger has not emitted before, and remember them in the
 * workflow's static data, which n8n saves with the poll's result.
 */
export async function pollNewSubmissions(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const settings = readSettings(this);
	const manual = this.getMode() === 'manual';
	const seen = this.getWorkflowStaticData('node') as SeenSubmissions;
	if (!manual) settings.filters = { ...settings.filters, ...sinceFilter(seen) };
	// A poll that outlives its budget is abandoned by the engine: give up waiting before that.
	const budget = typeof this.getPollBudgetMs === 'function' ? this.getPollBudgetMs() : undefined;
	if (budget) settings.lifecycle.timeoutMs = Math.min(settings.lifecycle.timeoutMs, Math.max(budget / 2, budget - 30_000));

	const api = new ExportApi(this, settings.target);
	const download = await runExport(exportSteps(this, api, settings, 0), settings.lifecycle, settings.target);
	const archive = await ExportArchive.open(download.archive, settings.limits);
	const submissions = (await archive.readJsonl<SubmissionRecord>(SUBMISSIONS_FILE)) ?? [];

	// Only once its archive proved readable: a damaged download leaves the job to download again.
	if (settings.housekeeping.deleteAfterDownload) await deleteDownloadedJob(api, download.exportId);
	const chosen = manual ? newest(submissions, SAMPLE_SIZE) : newSubmissions(seen, submissions);
	if (!manual) rememberSubmissions(seen, submissions);
	if (chosen.length === 0) return null;
	const ids = new Set(chosen.map((record) => record.submission_id));
	const items = await buildOutput(this, archive, download, settings.target, settings.output, 0, (all) =>
		all.filter((record) => ids.has(record.submission_id)),
	);
	return [items];
}

function newest(submissions: SubmissionRecord[], count: number): SubmissionRecord[] {
	return [...submissions]
		.sort((a, b) => String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')))
		.slice(0, count);
}
