import type { IDataObject } from 'n8n-workflow';

import { prolificApiRequest, type Context } from '../transport';
import type { ExportJob } from './lifecycle';
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
		return await prolificApiRequest<ExportJob>(this.ctx, {
			method: 'POST',
			path: this.path,
			qs: filters,
			notFound: `${Named(this.target)} not found`,
			itemIndex: this.itemIndex,
			deadline,
		});
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
