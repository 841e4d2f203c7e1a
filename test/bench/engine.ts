// The harness's environment (temporary N8N_USER_FOLDER, filesystem binary mode) comes first.
import '../harness';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type { INodeExecutionData, INodeParameters, INodeType, IRun } from 'n8n-workflow';
import { MANUAL_TRIGGER_NODE_TYPE, Workflow } from 'n8n-workflow';

import { buildAdditionalData } from '../harness/additional-data';
import { HarnessCredentialsHelper } from '../harness/credentials-helper';
import { defaultCredentialTypes } from '../harness/defaults';
import { ensureEngine } from '../harness/engine';
import { HarnessNodeTypes, ManualTrigger } from '../harness/node-types';
import { buildWorkflowData } from '../harness/run-node';
import type { HarnessCredentials } from '../harness/types';

/**
 * `Manual Trigger -> node` in n8n-core's WorkflowExecute, the same workflow runNode builds, but
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
	const workflowData = buildWorkflowData({ nodeType, parameters, credentials }, typeName);
	const [trigger, node] = workflowData.nodes;
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
