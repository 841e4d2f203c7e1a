import type { INodeExecutionData } from 'n8n-workflow';

import { RESOURCES } from '../../resources';
import type { ExportJob, ExportTarget } from '../../types';

/** An export job as an item: the same fields whichever endpoint answered. */
export function jobItem(target: ExportTarget, job: ExportJob, itemIndex: number, exportId?: string): INodeExecutionData {
	return {
		json: {
			[RESOURCES[target.resource].idKey]: target.id,
			export_id: job.export_id ?? exportId ?? null,
			status: job.status ?? null,
			url: job.url ?? null,
			expires_at: job.expires_at ?? null,
		},
		pairedItem: { item: itemIndex },
	};
}
