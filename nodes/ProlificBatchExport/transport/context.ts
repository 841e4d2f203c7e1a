import type { IExecuteFunctions, ILoadOptionsFunctions, IPollFunctions } from 'n8n-workflow';

export const CREDENTIAL_TYPE = 'prolificApi';
export const USER_AGENT = 'n8n-nodes-prolific/0.1.0';

export type Context = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

/** What n8n's request helpers answer with `returnFullResponse`. */
export interface FullResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

interface ProlificCredentials {
	apiToken?: string;
	baseUrl?: string;
}

export async function credentials(ctx: Context): Promise<{ token: string; baseUrl: string }> {
	const data = (await ctx.getCredentials(CREDENTIAL_TYPE)) as ProlificCredentials;
	const baseUrl = (data.baseUrl || 'https://api.prolific.com').trim().replace(/\/+$/, '');
	return { token: data.apiToken ?? '', baseUrl };
}

export function cancelSignal(ctx: Context): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal() : undefined;
}
