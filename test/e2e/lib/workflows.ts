import type { CredentialFile, Workflow, WorkflowNode } from './n8n';

export const PACKAGE = 'n8n-nodes-prolific';
export const NODE_TYPE = `${PACKAGE}.prolificBatchExport`;
export const NODE_NAME = 'Prolific Batch Export';

/** The credential `npm start` creates; examples may reference it. */
export const CREDENTIAL = { id: 'prolific-emulator', name: 'Prolific (emulator)' };
export const WRONG_CREDENTIAL = { id: 'prolific-wrong-token', name: 'Prolific (wrong token)' };

export function credentials(apiUrl: string, token: string): CredentialFile[] {
	return [
		{ ...CREDENTIAL, type: 'prolificApi', data: { apiToken: token, baseUrl: apiUrl } },
		{ ...WRONG_CREDENTIAL, type: 'prolificApi', data: { apiToken: 'not-a-valid-token', baseUrl: apiUrl } },
	];
}

let counter = 0;
const nodeId = () => `e2e-node-${++counter}`;

export function manualTrigger(name = 'Manual Trigger'): WorkflowNode {
	return { id: nodeId(), name, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
}

/** The Prolific trigger on a batch, polling every 5 s (n8n refuses one cron entry under a minute, not twelve). */
export function triggerNode(batch: string): WorkflowNode {
	return {
		id: nodeId(),
		name: 'Prolific Batch Export Trigger',
		type: `${PACKAGE}.prolificBatchExportTrigger`,
		typeVersion: 1,
		position: [0, 0],
		parameters: {
			pollTimes: { item: Array.from({ length: 12 }, (_, i) => ({ mode: 'custom', cronExpression: `${i * 5} * * * * *` })) },
			batch: { __rl: true, mode: 'id', value: batch },
			output: 'submissions',
			options: { pollInterval: 0.1, timeout: 60 },
		},
		credentials: { prolificApi: CREDENTIAL },
	};
}

export interface ExportNodeOptions {
	/** a batch ID, or an expression such as "={{ $json.batch }}" */
	batch: string;
	output?: string;
	includeFiles?: boolean;
	options?: Record<string, unknown>;
	credential?: { id: string; name: string };
	continueOnFail?: boolean;
}

export function exportNode(opts: ExportNodeOptions): WorkflowNode {
	return {
		id: nodeId(),
		name: NODE_NAME,
		type: NODE_TYPE,
		typeVersion: 1,
		position: [440, 0],
		parameters: {
			batch: { __rl: true, mode: 'id', value: opts.batch },
			output: opts.output ?? 'submissions',
			...(opts.includeFiles === undefined ? {} : { includeFiles: opts.includeFiles }),
			options: { pollInterval: 0.1, timeout: 60, ...opts.options },
		},
		credentials: { prolificApi: opts.credential ?? CREDENTIAL },
		...(opts.continueOnFail ? { onError: 'continueRegularOutput' } : {}),
	};
}

/** Manual Trigger -> [one item per batch ID, when several] -> Prolific Batch Export. */
export function exportWorkflow(id: string, opts: Omit<ExportNodeOptions, 'batch'> & { batches: string[] }): Workflow {
	const trigger = manualTrigger();
	const chain: WorkflowNode[] = [trigger];
	let batch = opts.batches[0];
	if (opts.batches.length > 1) {
		chain.push({
			id: nodeId(),
			name: 'Batch IDs',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [220, 0],
			parameters: { mode: 'raw', jsonOutput: JSON.stringify({ batches: opts.batches.map((b) => ({ batch: b })) }), options: {} },
		});
		chain.push({
			id: nodeId(),
			name: 'One Item per Batch',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [330, 0],
			parameters: { fieldToSplitOut: 'batches', options: {} },
		});
		batch = '={{ $json.batch }}';
	}
	chain.push(exportNode({ ...opts, batch }));
	return linear(id, `e2e ${id}`, chain);
}

/** A workflow whose nodes run one after another. */
export function linear(id: string, name: string, nodes: WorkflowNode[]): Workflow {
	const connections: Record<string, unknown> = {};
	nodes.forEach((node, i) => {
		node.position = [i * 220, 0];
		const next = nodes[i + 1];
		if (next) connections[node.name] = { main: [[{ node: next.name, type: 'main', index: 0 }]] };
	});
	return { id, name, active: false, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {} };
}
