import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { prolificApiRequest } from '../transport';

interface Page {
	results?: IDataObject[];
	meta?: { count?: number };
}

const PAGE_SIZE = 100;
const MAX_PAGES = 20;

/** Batches the token can see, across all of its workspaces, newest first, with their status. */
export async function searchBatches(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await searchAcrossWorkspaces(this, 'batches', filter);
}

/** Collections the token can see, across all of its workspaces, newest first. */
export async function searchCollections(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await searchAcrossWorkspaces(this, 'collections', filter);
}

async function searchAcrossWorkspaces(
	ctx: ILoadOptionsFunctions,
	kind: 'batches' | 'collections',
	filter?: string,
): Promise<INodeListSearchResult> {
	const workspaces: IDataObject[] = [];
	for (let page = 0; page < MAX_PAGES; page++) {
		const { results = [] } = await prolificApiRequest<Page>(ctx, {
			method: 'GET',
			path: '/api/v1/workspaces/',
			qs: { limit: PAGE_SIZE, offset: page * PAGE_SIZE },
			notFound: 'Workspaces not found',
		});
		workspaces.push(...results);
		if (results.length < PAGE_SIZE) break;
	}
	const needle = filter?.trim().toLowerCase() ?? '';
	const found: IDataObject[] = [];
	for (const workspace of workspaces) {
		const { results = [] } = await prolificApiRequest<Page>(ctx, {
			method: 'GET',
			path: `/api/v1/data-collection/${kind}`,
			qs: { workspace_id: workspace.id },
			notFound: `Workspace ${String(workspace.id)} not found`,
		});
		found.push(...results.map((item) => ({ ...item, workspace_title: workspace.title })));
	}
	return {
		results: found
			.filter((item) => `${String(item.name)} ${String(item.id)}`.toLowerCase().includes(needle))
			.sort((a, b) => String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')))
			.map((item) => ({
				name: item.status === undefined ? String(item.name) : `${String(item.name)} (${statusLabel(item.status)})`,
				value: String(item.id),
				description: typeof item.workspace_title === 'string' ? `Workspace: ${item.workspace_title}` : undefined,
			})),
	};
}

function statusLabel(status: unknown): string {
	const text = typeof status === 'string' && status ? status : 'unknown';
	return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
}
