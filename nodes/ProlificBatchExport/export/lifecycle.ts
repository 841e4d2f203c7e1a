import { describeTarget } from '../resources';
import { isExportId, type DownloadedExport, type ExportJob, type ExportTarget } from '../types';

/** What the lifecycle needs from the outside world; the node binds it to the transport. */
export interface ExportSteps {
	requestExport(deadline: number): Promise<ExportJob>;
	getExportStatus(exportId: string, deadline: number): Promise<ExportJob>;
	/**
	 * Downloads the archive (to where the caller keeps it) and answers its size in bytes. Fails with
	 * an error `isExpiredLink` recognises when the storage host refuses the link. `exportId`: where a
	 * fresh link comes from, should one be refused once the archive is being read.
	 */
	download(url: string, exportId?: string): Promise<number>;
	isExpiredLink(error: unknown): boolean;
	/** True for the error a request gives when it ran into the deadline while in flight. */
	isOutOfTime(error: unknown): boolean;
	/** True for a status check's answer that the export job no longer exists (someone deleted it). */
	isGone(error: unknown): boolean;
	/** True for an export ID known to have existed, though this run has not seen it answer yet. */
	existed(exportId: string): boolean;
	wait(ms: number): Promise<void>;
	/** After a refused request: make room (e.g. free an export slot); true to request once more. */
	freeSlot?(error: unknown): Promise<boolean>;
}

export interface ExportSettings {
	pollIntervalMs: number;
	timeoutMs: number;
	/** How many times a `failed` export is requested again. */
	failedRetries: number;
}

/** Why an export did not arrive, with what to do about it. */
export class ExportError extends Error {
	constructor(
		message: string,
		readonly hint: string,
	) {
		super(message);
		this.name = 'ExportError';
	}
}

const MAX_LINK_REFRESHES = 2;
/** How often a job that vanished while we waited is requested afresh before the node gives up. */
const MAX_VANISHED = 2;

type State =
	| { step: 'request' }
	/** `seen`: the job answered before, so a 404 means it was deleted since, not a wrong ID. */
	| { step: 'status'; exportId: string; delay: boolean; seen: boolean }
	| { step: 'download'; url: string; expiresAt?: string; exportId?: string };

/**
 * Request -> poll -> download, as Prolific documents it, for both server behaviours: an
 * immediate `complete` downloads at once; `generating` is polled until complete, failed or the
 * deadline; `failed` is requested again up to the retry count; an expired or refused link is
 * refreshed from the status endpoint (or by requesting again when no export ID was given).
 * A job that vanishes while we wait (404 on its status, also after a refused link) was deleted by
 * someone else, typically a concurrent run that was handed the same job and deleted it after its
 * download: it is requested afresh, within the Timeout, up to MAX_VANISHED times.
 */
export async function runExport(
	steps: ExportSteps,
	settings: ExportSettings,
	target: ExportTarget,
	/** An export already requested, e.g. by the Start Export operation. */
	existingExportId?: string,
): Promise<DownloadedExport> {
	const deadline = Date.now() + settings.timeoutMs;
	let failures = 0;
	let refreshes = 0;
	let statusChecks = 0;
	let vanished = 0;
	let lastExportId = existingExportId;
	let lastStatus: string | undefined;
	let filter: ExportJob['filter'];
	const inTime = async (call: Promise<ExportJob>): Promise<ExportJob> =>
		await call.catch((error: unknown) => {
			throw steps.isOutOfTime(error) ? timedOut(target, settings.timeoutMs, statusChecks, lastExportId, lastStatus) : error;
		});

	const next = (job: ExportJob, exportId?: string): State => {
		if (job.export_id !== undefined && job.export_id !== null && !isExportId(job.export_id)) throw badExportId(job.export_id);
		const id = job.export_id ?? exportId;
		lastExportId = id ?? lastExportId;
		if (job.filter !== undefined) filter = job.filter;
		lastStatus = job.status ?? lastStatus;
		// Decided on the status's word, whatever its case; any word but these two means "not yet".
		switch (String(job.status ?? '').toLowerCase()) {
			case 'complete':
				if (!job.url) throw unexpected(job);
				return { step: 'download', url: job.url, expiresAt: job.expires_at, exportId: id };
			case 'failed':
				if (++failures > settings.failedRetries) {
					throw new ExportError(
						`Prolific could not generate the export of ${describeTarget(target)} (failed ${failures === 1 ? 'once' : `${failures} times`})`,
						"Prolific's export job failed. Run the node again later, or raise the 'Retries for Failed Exports' option. If it keeps failing, report the batch ID to Prolific support.",
					);
				}
				return { step: 'request' };
			default:
				// 'generating', 'queued', 'PROCESSING' …: still in progress, if there is a job to ask about.
				if (!id) throw unexpected(job);
				return { step: 'status', exportId: id, delay: true, seen: true };
		}
	};

	let state: State = existingExportId
		? { step: 'status', exportId: existingExportId, delay: false, seen: steps.existed(existingExportId) }
		: { step: 'request' };
	for (;;) {
		if (state.step === 'request') {
			state = next(await inTime(requestWithRoom(steps, deadline)));
		} else if (state.step === 'status') {
			if (state.delay) {
				const left = deadline - Date.now();
				if (left <= 0) throw timedOut(target, settings.timeoutMs, statusChecks, lastExportId, lastStatus);
				await steps.wait(Math.min(settings.pollIntervalMs, left));
			}
			statusChecks++;
			const { exportId, seen } = state;
			const answer = await inTime(steps.getExportStatus(exportId, deadline)).then(
				(job) => ({ job }),
				(error: unknown) => ({ error }),
			);
			if ('job' in answer) state = next(answer.job, exportId);
			else if (!seen || !steps.isGone(answer.error)) throw answer.error;
			else if (++vanished > MAX_VANISHED) throw keptVanishing(target, vanished, exportId);
			else {
				// A new job brings new links: the refused ones of the old one do not count against it.
				refreshes = 0;
				state = { step: 'request' };
			}
		} else {
			const { url, expiresAt, exportId }: { url: string; expiresAt?: string; exportId?: string } = state;
			// Tried whatever this machine's clock makes of expires_at: only the storage host's refusal counts.
			const result = await steps.download(url, exportId).then(
				(size) => ({ size }),
				(error: unknown) => ({ error }),
			);
			if ('size' in result) return { size: result.size, exportId, expiresAt, statusChecks, ...(filter !== undefined && { filter }) };
			if (!steps.isExpiredLink(result.error)) throw result.error;
			if (++refreshes > MAX_LINK_REFRESHES) {
				throw new ExportError(
					`The download link for ${describeTarget(target)} kept being refused, even after ${MAX_LINK_REFRESHES} fresh links`,
					"Check that this machine's clock is right (links are time-limited), then run the node again.",
				);
			}
			state = exportId ? { step: 'status', exportId, delay: false, seen: true } : { step: 'request' };
		}
	}
}

/** Requests an export; when refused, lets `freeSlot` make room and asks once more. */
export async function requestWithRoom(steps: Pick<ExportSteps, 'requestExport' | 'freeSlot'>, deadline: number): Promise<ExportJob> {
	const answer = await steps.requestExport(deadline).then(
		(job) => ({ job }),
		(error: unknown) => ({ error }),
	);
	if ('job' in answer) return answer.job;
	if (!(await steps.freeSlot?.(answer.error))) throw answer.error;
	return await steps.requestExport(deadline);
}

function unexpected(job: ExportJob): ExportError {
	return new ExportError(
		`Prolific answered the export request with an unexpected status '${String(job.status)}'`,
		'The export API may have changed. Update this node, or report the batch ID to its maintainers.',
	);
}

function badExportId(value: unknown): ExportError {
	return new ExportError(
		`Prolific answered with an export ID that is not one: ${JSON.stringify(String(value).slice(0, 100))}`,
		'Export IDs are letters, digits, - and _ (Prolific gives UUIDs), so the node will not put this one into a request. Run the node again; if it keeps happening, report the batch ID to Prolific support.',
	);
}

function keptVanishing(target: ExportTarget, times: number, exportId: string): ExportError {
	return new ExportError(
		`The export of ${describeTarget(target)} was deleted ${times} times while the node waited for it (last export ID ${exportId})`,
		"Something else deletes this batch's export jobs before the node can download them: another run exporting the same batch at the same time (Prolific hands concurrent requests the same job, and 'Delete Export Job After Download' is on by default) or someone's Delete Export Job. Let such runs not overlap, or turn off 'Delete Export Job After Download' in all but one of them, then run the node again.",
	);
}

function timedOut(target: ExportTarget, timeoutMs: number, checks: number, exportId?: string, status?: string): ExportError {
	const waited = timeoutMs >= 60_000 ? `${+(timeoutMs / 60_000).toFixed(1)} min` : `${+(timeoutMs / 1000).toFixed(1)} s`;
	const still = status === undefined || status.toLowerCase() === 'generating' ? 'Prolific is still generating it' : `Prolific last said '${status.slice(0, 50)}'`;
	return new ExportError(
		`The export of ${describeTarget(target)} was not ready after ${waited} (${checks} status checks)`,
		`${still}${exportId ? ` (export ID ${exportId})` : ''}. Raise the 'Timeout' option, or run the node again later: Prolific hands back the same export instead of starting over.`,
	);
}
