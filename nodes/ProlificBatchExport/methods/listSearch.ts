import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { prolificApiRequest } from '../transport';

interface Page {
	results?: IDataObject[];
	meta?: { count?: number };
}

const PAGE_SIZE = 100;
const MAX_PAGES = 20;

/** Batches the token can see, across all of its workspaces, newest first. */
export async function searchBatches(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const workspaces: IDataObject[] = [];
	for (let page = 0; page < MAX_PAGES; page++) {
		const { results = [] } = await prolificApiRequest<Page>(this, {
			method: 'GET',
			path: '/api/v1/workspaces/',
			qs: { limit: PAGE_SIZE, offset: page * PAGE_SIZE },
			notFound: 'Workspaces not found',
		});
		workspaces.push(...results);
		if (results.length < PAGE_SIZE) break;
	}
	const needle = filter?.trim().toLowerCase() ?? '';
	const batches: IDataObject[] = [];
	for (const workspace of workspaces) {
		const { results = [] } = await prolificApiRequest<Page>(this, {
			method: 'GET',
			path: '/api/v1/data-collection/batches',
			qs: { workspace_id: workspace.id },
			notFound: `Workspace ${String(workspace.id)} not found`,
		});
		batches.push(...results.map((batch) => ({ ...batch, workspace_title: workspace.title })));
	}
	return {
		results: batches
			.filter((batch) => `${String(batch.name)} ${String(batch.id)}`.toLowerCase().includes(needle))
			.sort((a, b) => String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')))
			.map((batch) => ({
				name: `${String(batch.name)} (${statusLabel(batch.status)})`,
				value: String(batch.id),
				description: typeof batch.workspace_title === 'string' ? `Workspace: ${batch.workspace_title}` : undefined,
			})),
	};
}

function statusLabel(status: unknown): string {
	const text = typeof status === 'string' && status ? status : 'unknown';
	return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
}
