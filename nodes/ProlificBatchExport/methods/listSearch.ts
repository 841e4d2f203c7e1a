import { NodeApiError, type IDataObject, type ILoadOptionsFunctions, type INodeListSearchItems, type INodeListSearchResult } from 'n8n-workflow';

import { prolificApiRequest } from '../transport';

interface Page {
	results?: IDataObject[];
	meta?: { count?: number };
}

/** Prolific's own CLI asks for 200 records at a time. */
const PAGE_SIZE = 200;
/** However a server pages, a list never takes more requests than this. */
const MAX_PAGES = 50;
/** Workspaces listed per page of the picker, and how many of them are asked at once. */
const WORKSPACES_PER_PAGE = 10;
const IN_PARALLEL = 4;

/** Batches the token can see, across all of its workspaces (newest first within each page of workspaces), with their status. */
export async function searchBatches(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return await searchAcrossWorkspaces(this, 'batches', filter, paginationToken);
}

/** Collections the token can see, across all of its workspaces (newest first within each page of workspaces). */
export async function searchCollections(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	return await searchAcrossWorkspaces(this, 'collections', filter, paginationToken);
}

/**
 * One page of the picker: the batches (or collections) of up to ten workspaces, asked four at a
 * time, newest first; `paginationToken` says which workspace the next page starts at. A
 * workspace that refuses (collections are enabled per workspace; a workspace you were removed
 * from) is named at the end of the list instead of emptying it.
 */
async function searchAcrossWorkspaces(
	ctx: ILoadOptionsFunctions,
	kind: 'batches' | 'collections',
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const workspaces = await listAll(ctx, '/api/v1/workspaces/', {}, 'No access to the list of your workspaces');
	const start = Math.max(0, Number.parseInt(String(paginationToken ?? '0'), 10) || 0);
	const chunk = workspaces.slice(start, start + WORKSPACES_PER_PAGE);
	const listed = await inParallel(chunk, IN_PARALLEL, async (workspace) => {
		const title = String(workspace.title ?? workspace.id);
		return await listAll(ctx, `/api/v1/data-collection/${kind}`, { workspace_id: workspace.id }, `No access to the ${kind} of workspace ${title}`).then(
			(items) => ({ items: items.map((item): IDataObject => ({ ...item, workspace_title: title })) }),
			(error: unknown): { unreadable: INodeListSearchItems } => {
				if (error instanceof NodeApiError && ['403', '404'].includes(error.httpCode ?? '')) return { unreadable: unreadable(error) };
				throw error;
			},
		);
	});
	const needle = filter?.trim().toLowerCase() ?? '';
	const found = listed.flatMap((entry) => ('items' in entry ? entry.items : []));
	const next = start + WORKSPACES_PER_PAGE;
	return {
		results: [
			...found
				.filter((item) => `${String(item.name)} ${String(item.id)}`.toLowerCase().includes(needle))
				.sort((a, b) => String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')))
				.map((item) => ({
					name: item.status === undefined ? String(item.name) : `${String(item.name)} (${statusLabel(item.status)})`,
					value: String(item.id),
					description: typeof item.workspace_title === 'string' ? `Workspace: ${item.workspace_title}` : undefined,
				})),
			...listed.flatMap((entry) => ('unreadable' in entry ? [entry.unreadable] : [])),
		],
		paginationToken: next < workspaces.length ? String(next) : undefined,
	};
}

/** A list entry that says which workspace could not be read and why; choosing it selects nothing. */
function unreadable(error: NodeApiError): INodeListSearchItems {
	return { name: `⚠ Not listed: ${error.message} (HTTP ${error.httpCode})`, value: '', description: error.description ?? undefined };
}

/**
 * Every record of a list, paged as Prolific's CLI pages it (`limit` / `offset`): until
 * `meta.count` is reached or a short page arrives, and never twice the same page, for a server
 * that ignores `offset`.
 */
async function listAll(ctx: ILoadOptionsFunctions, path: string, qs: IDataObject, forbidden: string): Promise<IDataObject[]> {
	const all: IDataObject[] = [];
	let previous: string | undefined;
	for (let page = 0; page < MAX_PAGES; page++) {
		const { results = [], meta } = await prolificApiRequest<Page>(ctx, {
			method: 'GET',
			path,
			qs: { ...qs, limit: PAGE_SIZE, offset: all.length },
			notFound: `${forbidden.replace(/^No access to the /, 'The ')} were not found`,
			forbidden,
		});
		const fingerprint = JSON.stringify(results.map((item) => item.id));
		if (results.length === 0 || fingerprint === previous) break;
		previous = fingerprint;
		all.push(...results);
		const count = typeof meta?.count === 'number' ? meta.count : undefined;
		if (count !== undefined ? all.length >= count : results.length < PAGE_SIZE) break;
	}
	return all;
}

/** `work` on every item, at most `limit` at a time, results in the items' order. */
async function inParallel<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
	const results: R[] = new Array(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const index = next++;
			results[index] = await work(items[index]);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
	return results;
}

function statusLabel(status: unknown): string {
	const text = typeof status === 'string' && status ? status : 'unknown';
	return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
}
