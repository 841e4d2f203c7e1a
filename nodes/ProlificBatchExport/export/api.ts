import { NodeApiError, type IDataObject, type JsonObject } from 'n8n-workflow';

import { prolificApiRequest, type Context } from '../transport';
import type { ExportJob } from './lifecycle';
import { isJobLimitError } from './housekeeping';
import { Named, named, RESOURCES, type ExportTarget } from './target';

/** One entry of behaviour B's job list. */
export interface ExportJobSummary {
	export_id: string;
	filter: IDataObject | null;
	status: string;
	created_at: string;
}

/** Prolific's export endpoints for one batch or collection, each call made through the transport. */
export class ExportApi {
	private readonly path: string;

	constructor(
		private readonly ctx: Context,
		readonly target: ExportTarget,
		private readonly itemIndex?: number,
	) {
		this.path = `/api/v1/data-collection/${RESOURCES[target.resource].path}/${target.id}/export`;
	}

	async request(filters: IDataObject, deadline?: number): Promise<ExportJob> {
		const answer = await prolificApiRequest<ExportJob>(this.ctx, {
			method: 'POST',
			path: this.path,
			qs: filters,
			notFound: `${Named(this.target)} not found`,
			itemIndex: this.itemIndex,
			deadline,
		}).then(
			(job) => ({ job }),
			(error: unknown) => ({ error }),
		);
		if ('job' in answer) return answer.job;
		if (isJobLimitError(answer.error)) throw jobLimitReached(this.ctx, this.target, answer.error, this.itemIndex);
		throw answer.error;
	}

	async status(exportId: string, deadline?: number): Promise<ExportJob> {
		return await prolificApiRequest<ExportJob>(this.ctx, {
			method: 'GET',
			path: `${this.path}/${encodeURIComponent(exportId)}`,
			notFound: `Export ${exportId} of ${named(this.target)} not found`,
			itemIndex: this.itemIndex,
			deadline,
		});
	}

	/** Newest first. Servers that keep one export per batch do not list jobs (HTTP 405). */
	async list(): Promise<ExportJobSummary[]> {
		const body = await prolificApiRequest<{ results?: ExportJobSummary[] } | ExportJobSummary[]>(this.ctx, {
			method: 'GET',
			path: this.path,
			notFound: `${Named(this.target)} not found`,
			itemIndex: this.itemIndex,
		});
		return Array.isArray(body) ? body : (body.results ?? []);
	}

	async delete(exportId: string): Promise<void> {
		await prolificApiRequest(this.ctx, {
			method: 'DELETE',
			path: `${this.path}/${encodeURIComponent(exportId)}`,
			notFound: `Export ${exportId} of ${named(this.target)} not found`,
			itemIndex: this.itemIndex,
		});
	}
}

/** The job cap, said plainly: what it is and the three ways out of it. */
function jobLimitReached(ctx: Context, target: ExportTarget, error: NodeApiError, itemIndex?: number): NodeApiError {
	const prolificSays = /^Prolific says: "[^"]*"\. /.exec(error.description ?? '')?.[0] ?? '';
	const message = `${Named(target)} already has as many export jobs as Prolific allows`;
	const description = `${prolificSays}Delete finished jobs (List Export Jobs, then Delete Export Job), turn on the 'Free Export Slot at Job Limit' option, or wait until running exports finish.`;
	const httpCode = error.httpCode ?? undefined;
	return new NodeApiError(ctx.getNode(), { message, description, httpCode } as JsonObject, {
		message,
		description,
		httpCode,
		itemIndex,
	});
}
