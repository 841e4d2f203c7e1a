import { NodeApiError, NodeOperationError, type IDataObject, type JsonObject } from 'n8n-workflow';

import { capitalised, describeTarget, RESOURCES } from '../resources';
import { prolificApiRequest, type Context } from '../transport';
import { isExportId, type ExportJob, type ExportJobSummary, type ExportTarget } from '../types';

/** Prolific's export endpoints for one batch or collection, each call made through the transport. */
export class ExportApi {
	private readonly path: string;
	/** What a 403 from any of these endpoints means. */
	private readonly forbidden: string;

	constructor(
		private readonly ctx: Context,
		readonly target: ExportTarget,
		private readonly itemIndex?: number,
	) {
		this.path = `/api/v1/data-collection/${RESOURCES[target.resource].apiPath}/${target.id}/export`;
		this.forbidden = `No access to this ${RESOURCES[target.resource].label}’s workspace`;
	}

	async request(filters: IDataObject, deadline?: number): Promise<ExportJob> {
		const answer = await prolificApiRequest<ExportJob>(this.ctx, {
			method: 'POST',
			path: this.path,
			qs: filters,
			notFound: `${capitalised(describeTarget(this.target))} not found`,
			forbidden: this.forbidden,
			itemIndex: this.itemIndex,
			deadline,
		}).then(
			(job) => ({ job }),
			(error: unknown) => ({ error }),
		);
		if ('job' in answer) return answer.job;
		if (isJobLimitError(answer.error)) throw this.jobLimitReached(answer.error, JOB_LIMIT_HINT);
		throw answer.error;
	}

	async status(exportId: string, deadline?: number): Promise<ExportJob> {
		return await prolificApiRequest<ExportJob>(this.ctx, {
			method: 'GET',
			path: this.jobPath(exportId),
			notFound: `Export ${exportId} of ${describeTarget(this.target)} not found`,
			forbidden: this.forbidden,
			itemIndex: this.itemIndex,
			deadline,
		});
	}

	/** Newest first. Servers that keep one export per batch do not list jobs (HTTP 405). */
	async list(): Promise<ExportJobSummary[]> {
		const body = await prolificApiRequest<{ results?: ExportJobSummary[] } | ExportJobSummary[]>(this.ctx, {
			method: 'GET',
			path: this.path,
			notFound: `${capitalised(describeTarget(this.target))} not found`,
			forbidden: this.forbidden,
			itemIndex: this.itemIndex,
		});
		return Array.isArray(body) ? body : (body.results ?? []);
	}

	/** Every ID reaching a URL path is checked here, wherever it came from (a parameter, a job list). */
	private jobPath(exportId: string): string {
		if (!isExportId(exportId)) {
			throw new NodeOperationError(this.ctx.getNode(), `'${exportId.slice(0, 100)}' is not an export ID`, {
				description: 'Export IDs are letters, digits, - and _ (Prolific gives UUIDs), so the node will not put this one into a request.',
				itemIndex: this.itemIndex,
			});
		}
		return `${this.path}/${encodeURIComponent(exportId)}`;
	}

	/** The job cap, said plainly: Prolific's words, then what to do about it. */
	jobLimitReached(error: NodeApiError, hint: string): NodeApiError {
		const prolificSays = /^Prolific says: "[^"]*"\. /.exec(error.description ?? '')?.[0] ?? '';
		const message = `${capitalised(describeTarget(this.target))} already has as many export jobs as Prolific allows`;
		const description = `${prolificSays}${hint}`;
		const httpCode = error.httpCode ?? undefined;
		return new NodeApiError(this.ctx.getNode(), { message, description, httpCode } as JsonObject, {
			message,
			description,
			httpCode,
			itemIndex: this.itemIndex,
		});
	}

	async delete(exportId: string): Promise<void> {
		await prolificApiRequest(this.ctx, {
			method: 'DELETE',
			path: this.jobPath(exportId),
			notFound: `Export ${exportId} of ${describeTarget(this.target)} not found`,
			forbidden: this.forbidden,
			itemIndex: this.itemIndex,
		});
	}
}

/** Prolific's answer when the batch already holds as many export jobs as it may. */
export function isJobLimitError(error: unknown): error is NodeApiError {
	if (!(error instanceof NodeApiError) || !['400', '409', '429'].includes(error.httpCode ?? '')) return false;
	const said = `${error.message} ${error.description ?? ''}`;
	return /export/i.test(said) && /limit|maximum|too many|already has \d+/i.test(said);
}

const JOB_LIMIT_HINT =
	"Delete finished jobs (List Export Jobs, then Delete Export Job), turn on the 'Free Export Slot at Job Limit' option, or wait until running exports finish.";
