import {
	NodeApiError,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { ArchiveError } from './archive/errors';
import { ExportArchive } from './archive/reader';
import {
	ExportError,
	runExport,
	type DownloadedExport,
	type ExportJob,
	type ExportSteps,
} from './export/lifecycle';
import { buildOutput } from './output';
import { readSettings, type BatchExportSettings } from './settings';
import { CancelledError, wait } from './transport/backoff';
import { DownloadExpiredError, downloadArchive, prolificApiRequest } from './transport';

/** Every input item exports the batch it names; a failing item fails alone under "continue on fail". */
export async function exportBatches(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const results: INodeExecutionData[] = [];
	const count = this.getInputData().length;
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			results.push(...(await exportBatch(this, itemIndex)));
		} catch (caught) {
			const error = asNodeError(this, caught, itemIndex);
			if (!this.continueOnFail() || caught instanceof CancelledError) throw error;
			results.push({
				json: { error: error.message, description: error.description ?? null },
				pairedItem: { item: itemIndex },
			});
		}
	}
	return [results];
}

async function exportBatch(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const settings = readSettings(ctx, itemIndex);
	const download = await runExport(exportSteps(ctx, settings, itemIndex), settings.lifecycle, settings.batchId);
	return await shapeExport(ctx, download, settings, itemIndex);
}

async function shapeExport(
	ctx: IExecuteFunctions,
	download: DownloadedExport,
	settings: BatchExportSettings,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const archive = await ExportArchive.open(download.archive, settings.limits);
	return await buildOutput(ctx, archive, download, settings.batchId, settings.output, itemIndex);
}

function exportSteps(ctx: IExecuteFunctions, settings: BatchExportSettings, itemIndex: number): ExportSteps {
	const { batchId } = settings;
	const exportPath = `/api/v1/data-collection/batches/${batchId}/export`;
	return {
		requestExport: async (deadline) =>
			await prolificApiRequest<ExportJob>(ctx, {
				method: 'POST',
				path: exportPath,
				qs: settings.filters,
				notFound: `Batch ${batchId} not found`,
				itemIndex,
				deadline,
			}),
		getExportStatus: async (exportId, deadline) =>
			await prolificApiRequest<ExportJob>(ctx, {
				method: 'GET',
				path: `${exportPath}/${encodeURIComponent(exportId)}`,
				notFound: `Export ${exportId} of batch ${batchId} not found`,
				itemIndex,
				deadline,
			}),
		download: async (url) => await downloadArchive(ctx, url, { maxBytes: settings.limits.maxBytes, itemIndex }),
		isExpiredLink: (error) => error instanceof DownloadExpiredError,
		wait: async (ms) => await wait(ms, ctx.getExecutionCancelSignal()),
	};
}

function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof ArchiveError || error instanceof ExportError) {
		return new NodeOperationError(ctx.getNode(), error.message, { description: error.hint, itemIndex });
	}
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}
