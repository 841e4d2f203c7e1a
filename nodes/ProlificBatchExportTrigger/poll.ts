import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import type { SubmissionRecord } from '../ProlificBatchExport/archive/records';
import { asNodeError } from '../ProlificBatchExport/errors';
import { exportToItems } from '../ProlificBatchExport/export/pipeline';
import { readSettings, type BatchExportSettings } from '../ProlificBatchExport/settings';
import { newSubmissions, rememberSubmissions, sinceFilter, type SeenSubmissions } from './seen';

/** How many of the newest submissions a manual test run shows, so fields can be mapped. */
const SAMPLE_SIZE = 5;

/**
 * One poll: export the batch (asking only for recent submissions where the server filters),
 * emit the submissions this trigger has not emitted before, and only then remember them in the
 * workflow's static data, which n8n saves with the poll's result: a poll that fails leaves the
 * memory as it was, so the next poll emits what this one would have.
 */
export async function pollNewSubmissions(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const manual = this.getMode() === 'manual';
	const seen = this.getWorkflowStaticData('node') as SeenSubmissions;
	const settings = pollSettings(this, manual ? {} : sinceFilter(seen));
	const choose = (all: SubmissionRecord[]) => (manual ? newest(all, SAMPLE_SIZE) : newSubmissions(seen, all));
	const run = await exportToItems(this, settings, 0, { select: choose }).catch((error: unknown) => {
		throw asNodeError(this.getNode(), error);
	});
	if (!manual) rememberSubmissions(seen, (await run.contents.submissions()).map(({ record }) => record));
	return run.items.length ? [run.items] : null;
}

/** The node's settings, with the trigger's `from` filter and a timeout within the poll's budget. */
function pollSettings(ctx: IPollFunctions, since: { from?: string }): BatchExportSettings {
	const settings = readSettings(ctx);
	// A poll that outlives its budget is abandoned by the engine: give up waiting before that.
	const budget = typeof ctx.getPollBudgetMs === 'function' ? ctx.getPollBudgetMs() : undefined;
	const timeoutMs = budget ? Math.min(settings.lifecycle.timeoutMs, Math.max(budget / 2, budget - 30_000)) : settings.lifecycle.timeoutMs;
	return { ...settings, filters: { ...settings.filters, ...since }, lifecycle: { ...settings.lifecycle, timeoutMs } };
}

function newest(submissions: SubmissionRecord[], count: number): SubmissionRecord[] {
	return [...submissions]
		.sort((a, b) => String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')))
		.slice(0, count);
}
