import type { ExportApi } from './api';

/**
 * Behaviour B keeps every export job, at most 10 per batch: a workflow that exports on a
 * schedule fills the slots after ten runs unless it cleans up after itself.
 */
const FINISHED = new Set(['complete', 'failed']);

/** Deletes the batch's oldest finished export job; false when there is none to delete. */
export async function freeOldestJob(api: ExportApi): Promise<boolean> {
	const jobs = await api.list();
	const oldest = jobs
		.filter((job) => FINISHED.has(job.status))
		.sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)))[0];
	if (!oldest) return false;
	await api.delete(oldest.export_id);
	return true;
}

/**
 * Deletes a job this run created, once its archive is downloaded. Cleanup must never cost the
 * export: a server without job deletion (or any other refusal) leaves the job as it was.
 */
export async function deleteDownloadedJob(api: ExportApi, exportId: string | undefined): Promise<boolean> {
	if (!exportId) return false;
	return await api.delete(exportId).then(
		() => true,
		() => false,
	);
}
