import type { NodeApiError } from 'n8n-workflow';

import { isNotFound } from '../transport/errors';
import type { ExportApi } from './api';
import type { ExportLedger } from './ledger';

/**
 * Behaviour B keeps every export job, at most 10 per batch: a workflow that exports on a
 * schedule fills the slots after ten runs unless it cleans up after itself. It cleans up only
 * after itself: any other job of the batch may be a colleague's export.
 */
const FINISHED = new Set(['complete', 'failed']);

/**
 * At the job limit: deletes the batch's oldest finished job that this workflow created and is
 * done with (or, with `anyJob`, the oldest finished job of all). When there is none, the error
 * says what the batch holds and how to free a slot. False when the server lists no jobs.
 */
export async function freeSlot(api: ExportApi, ledger: ExportLedger, refusal: NodeApiError, anyJob: boolean): Promise<boolean> {
	const jobs = await api.list().catch(() => undefined);
	if (!jobs) return false;
	const finished = jobs.filter((job) => FINISHED.has(String(job.status ?? '').toLowerCase()));
	const oldest = finished
		.filter((job) => anyJob || ledger.mayFree(job))
		.sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)))[0];
	if (!oldest) {
		const running = jobs.length - finished.length;
		const held = `It holds ${jobs.length} export job${jobs.length === 1 ? '' : 's'}${running ? ` (${running} still generating)` : ''}`;
		throw api.jobLimitReached(
			refusal,
			`${held}, none of them a finished job this workflow created, so the node deleted none: on a shared workspace they may be a colleague's. To free a slot, run List Export Jobs, then Delete Export Job with the export_id of one nobody needs; or turn on the 'Free Slot From Any Job' option.`,
		);
	}
	// Gone already (a concurrent run's cleanup) frees the slot just the same; any other refusal
	// leaves Prolific's job-limit answer to explain itself, as before the job ledger.
	const freed = await api.delete(oldest.export_id).then(
		() => true,
		isNotFound,
	);
	if (freed) ledger.removed(oldest.export_id);
	return freed;
}

/**
 * Deletes a job of this workflow once its archive is downloaded. Cleanup must never cost the
 * export: a server without job deletion (or any other refusal) leaves the job as it was.
 * Another run may have been handed the same job and still be waiting for it; nothing says so.
 * Deleting anyway keeps the batch's slots free on a schedule, and that run finds the job gone and
 * requests the export afresh (the lifecycle): one more export for it, not a failure.
 */
export async function deleteDownloadedJob(api: ExportApi, ledger: ExportLedger, exportId: string | undefined): Promise<void> {
	if (!exportId || !ledger.isOurs(exportId)) return;
	await api.delete(exportId).then(
		() => ledger.removed(exportId),
		() => undefined,
	);
}
