import type { ICredentialType, INodeCredentials, INodeType } from 'n8n-workflow';

import { ProlificApi } from '../../credentials/ProlificApi.credentials';
import { credentialDetails } from './credentials-helper';
import type { HarnessCredentials } from './types';

export const DEFAULT_TYPE_NAME = 'n8n-nodes-prolific.prolificBatchExport';

export function defaultCredentialTypes(): ICredentialType[] {
	return [new ProlificApi()];
}

/** The node's credentials entry: each type its description lists and the test provides. */
export function nodeCredentials(
	nodeType: INodeType,
	credentials: HarnessCredentials = {},
): INodeCredentials | undefined {
	const wired = (nodeType.description.credentials ?? [])
		.filter(({ name }) => name in credentials)
		.map(({ name }) => [name, credentialDetails(name)]);
	return wired.length ? Object.fromEntries(wired) : undefined;
}

/** The newest version a node type declares, as the editor uses for a new node. */
export function latestVersion(nodeType: INodeType): number {
	const { version } = nodeType.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}
