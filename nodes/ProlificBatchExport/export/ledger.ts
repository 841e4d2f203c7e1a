import type { IDataObject, IExecuteFunctions, IPollFunctions } from 'n8n-workflow';

import type { Context } from '../transport';
import type { ExportJobSummary } from '../types';

/**
 * The export jobs this workflow created, so that housekeeping deletes only its own: on a shared
 * workspace, any other job of the batch may be a colleague's. Kept in the workflow's global static
 * data (Start Export and Download Export are different nodes of one workflow), which n8n saves
 * after production executions and polls. It changes only once an item's run has succeeded, like
 * the trigger's memory of submissions.
 */
interface Remembered extends IDataObject {
	prolificExportJobs?: Array<[exportId: string, state: JobState]>;
}

type JobState = 'started' | 'downloaded';

/** More than the 10 jobs a batch may hold, for a few batches; the oldest are forgotten first. */
const MAX_REMEMBERED = 100;

export class ExportLedger {
	private readonly known: Map<string, JobState>;

	private constructor(private readonly memory?: Remembered) {
		this.known = new Map(memory?.prolificExportJobs ?? []);
	}

	/** The workflow's ledger; the editor's list search has no static data, and needs none. */
	static of(ctx: Context): ExportLedger {
		const staticData = 'getWorkflowStaticData' in ctx ? (ctx as IExecuteFunctions | IPollFunctions).getWorkflowStaticData('global') : undefined;
		return new ExportLedger(staticData as Remembered | undefined);
	}

	created(exportId: string | undefined): void {
		if (exportId && !this.known.has(exportId)) this.known.set(exportId, 'started');
	}

	downloaded(exportId: string | undefined): void {
		if (exportId && this.known.has(exportId)) this.known.set(exportId, 'downloaded');
	}

	removed(exportId: string): void {
		this.known.delete(exportId);
	}

	isOurs(exportId: string | undefined): boolean {
		return exportId !== undefined && this.known.has(exportId);
	}

	/** Ours and done with: downloaded, or failed (nothing in it to lose). */
	mayFree(job: ExportJobSummary): boolean {
		const state = this.known.get(job.export_id);
		return state === 'downloaded' || (state !== undefined && job.status === 'failed');
	}

	/** Writes what this run learnt into the static data; call only once the run has succeeded. */
	commit(): void {
		if (!this.memory) return;
		const before = JSON.stringify(this.memory.prolificExportJobs ?? []);
		const after = [...this.known].slice(-MAX_REMEMBERED);
		// Left untouched when nothing changed: n8n saves static data only when it changed.
		if (JSON.stringify(after) === before) return;
		if (after.length) this.memory.prolificExportJobs = after;
		else delete this.memory.prolificExportJobs;
	}
}
