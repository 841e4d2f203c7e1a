// The harness's environment (temporary N8N_USER_FOLDER, filesystem binary mode) comes first.
import '../harness';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type { IConnections, INode, INodeExecutionData, INodeParameters, INodeType, IRun, IWorkflowBase } from 'n8n-workflow';
import { MANUAL_TRIGGER_NODE_TYPE, NodeConnectionTypes, Workflow } from 'n8n-workflow';

import { buildAdditionalData } from '../harness/additional-data';
import { HarnessCredentialsHelper } from '../harness/credentials-helper';
import { defaultCredentialTypes, latestVersion, nodeCredentials } from '../harness/defaults';
import { ensureEngine } from '../harness/engine';
import { HarnessNodeTypes, ManualTrigger } from '../harness/node-types';
import type { HarnessCredentials } from '../harness/types';

/**
 * `Manual Trigger -> node` in n8n-core's WorkflowExecute, as the harness's runNode runs it, but
 * returning the output items as n8n holds them (binary data as references into the filesystem
 * store). runNode reads every binary back into memory for the tests to compare, which would put
 * the whole export into the benchmark's peak RSS.
 */
export interface EngineRun {
	status: string;
	items: INodeExecutionData[];
	error?: string;
	/** WorkflowExecute.run() from start to finish */
	workflowMs: number;
}

export async function runInEngine(
	nodeType: INodeType,
	parameters: INodeParameters,
	credentials: HarnessCredentials = {},
): Promise<EngineRun> {
	await ensureEngine();
	const typeName = 'n8n-nodes-prolific.benchNode';
	const credentialsHelper = await HarnessCredentialsHelper.create(defaultCredentialTypes(), credentials);
	const trigger: INode = {
		id: 'trigger',
		name: 'Manual Trigger',
		type: MANUAL_TRIGGER_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const node: INode = {
		id: 'node-under-test',
		name: nodeType.description.defaults.name ?? nodeType.description.displayName,
		type: typeName,
		typeVersion: latestVersion(nodeType),
		position: [200, 0],
		parameters: structuredClone(parameters),
		credentials: nodeCredentials(nodeType, credentials),
	};
	const connections: IConnections = {
		[trigger.name]: { main: [[{ node: node.name, type: NodeConnectionTypes.Main, index: 0 }]] },
	};
	const now = new Date();
	const workflowData: IWorkflowBase = {
		id: 'bench-workflow',
		name: 'Bench workflow',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: now,
		updatedAt: now,
		nodes: [trigger, node],
		connections,
		settings: { executionOrder: 'v1', timezone: 'UTC' },
	};
	const workflow = new Workflow({
		...workflowData,
		nodeTypes: new HarnessNodeTypes({ [MANUAL_TRIGGER_NODE_TYPE]: new ManualTrigger(), [typeName]: nodeType }),
	});
	const hooks = new ExecutionLifecycleHooks('manual', '1', workflowData);
	const additionalData = buildAdditionalData(credentialsHelper, { executionId: '1', hooks });
	additionalData.workflowId = workflow.id;

	const started = performance.now();
	const run: IRun = await new WorkflowExecute(additionalData, 'manual').run({ workflow, startNode: trigger });
	const workflowMs = performance.now() - started;
	const task = run.data.resultData.runData[node.name]?.at(-1);
	const error = task?.error ?? run.data.resultData.error;
	return { status: run.status, items: task?.data?.main?.[0] ?? [], error: error?.message, workflowMs };
}

/** How many binaries the items carry and their total size, from the metadata n8n's store returned. */
export function storedBinaries(items: INodeExecutionData[]): { count: number; bytes: number } {
	let count = 0;
	let bytes = 0;
	for (const item of items) {
		for (const binary of Object.values(item.binary ?? {})) {
			count++;
			bytes += binary.bytes ?? 0;
		}
	}
	return { count, bytes };
}
