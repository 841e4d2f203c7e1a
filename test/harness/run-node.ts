import { ensureEngine } from './engine';

import { Container } from '@n8n/di';
import { BinaryDataService, ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	IConnections,
	IDataObject,
	INode,
	INodeExecutionData,
	IRun,
	IWorkflowBase,
	IWorkflowSettings,
} from 'n8n-workflow';
import { MANUAL_TRIGGER_NODE_TYPE, NodeConnectionTypes, Workflow } from 'n8n-workflow';

import { buildAdditionalData } from './additional-data';
import { HarnessCredentialsHelper } from './credentials-helper';
import { DEFAULT_TYPE_NAME, defaultCredentialTypes, latestVersion, nodeCredentials } from './defaults';
import { HarnessNodeTypes, ITEM_SOURCE_NODE_TYPE, ManualTrigger, itemSource } from './node-types';
import type { HarnessError, HarnessItem, RunNodeOptions, RunResult } from './types';

let executionCounter = 0;

/** `manual trigger -> [item source] -> node under test`, as runNode (and the benchmark) run it. */
export function buildWorkflowData(opts: RunNodeOptions, typeName: string): IWorkflowBase {
	const trigger: INode = {
		id: 'trigger',
		name: 'When clicking ‘Execute workflow’',
		type: MANUAL_TRIGGER_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const source: INode | undefined = opts.inputItems && {
		id: 'source',
		name: 'Item Source',
		type: ITEM_SOURCE_NODE_TYPE,
		typeVersion: 1,
		position: [200, 0],
		parameters: {},
	};
	const { description } = opts.nodeType;
	const node: INode = {
		id: 'node-under-test',
		name: description.defaults.name ?? description.displayName,
		type: typeName,
		typeVersion: latestVersion(opts.nodeType),
		position: [400, 0],
		// Workflow's constructor fills in defaults in place: keep the caller's object intact.
		parameters: structuredClone(opts.parameters),
		credentials: nodeCredentials(opts.nodeType, opts.credentials),
		...(opts.continueOnFail && { onError: 'continueRegularOutput' as const }),
	};
	const chain = source ? [trigger, source, node] : [trigger, node];
	const connections: IConnections = {};
	for (let i = 0; i < chain.length - 1; i++) {
		connections[chain[i].name] = {
			main: [[{ node: chain[i + 1].name, type: NodeConnectionTypes.Main, index: 0 }]],
		};
	}
	const settings: IWorkflowSettings = { executionOrder: 'v1', timezone: opts.timezone ?? 'UTC' };
	const now = new Date();
	return {
		id: 'harness-workflow',
		name: 'Harness workflow',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: now,
		updatedAt: now,
		nodes: chain,
		connections,
		settings,
	};
}

export async function toHarnessItem(item: INodeExecutionData): Promise<HarnessItem> {
	const binaryData = Container.get(BinaryDataService);
	const binary: HarnessItem['binary'] = {};
	for (const [key, data] of Object.entries(item.binary ?? {})) {
		const { fileName, mimeType, fileExtension, fileSize, id } = data;
		binary[key] = {
			fileName,
			mimeType,
			fileExtension,
			fileSize,
			id,
			bytes: await binaryData.getAsBuffer(data),
		};
	}
	return { json: item.json, binary, pairedItem: item.pairedItem, error: item.error };
}

/** The engine stores plain copies of thrown errors (prototype getters such as DOMException's name are lost). */
export function toHarnessError(error: unknown): HarnessError {
	const e = (error ?? {}) as Record<string, unknown>;
	return {
		message: String(e.message ?? error),
		description: typeof e.description === 'string' ? e.description : undefined,
		httpCode: typeof e.httpCode === 'string' || e.httpCode === null ? e.httpCode : undefined,
		name: typeof e.name === 'string' ? e.name : 'Error',
		raw: error,
	};
}

/** Runs `manual trigger -> [item source] -> node under test` in n8n-core's WorkflowExecute. */
export async function runNode(opts: RunNodeOptions): Promise<RunResult> {
	await ensureEngine();
	const typeName = opts.typeName ?? DEFAULT_TYPE_NAME;
	const credentialsHelper = await HarnessCredentialsHelper.create(
		opts.credentialTypes ?? defaultCredentialTypes(),
		opts.credentials,
	);
	const workflowData = buildWorkflowData(opts, typeName);
	const workflow = new Workflow({
		...workflowData,
		staticData: opts.staticData ? (JSON.parse(opts.staticData) as IDataObject) : undefined,
		nodeTypes: new HarnessNodeTypes({
			[MANUAL_TRIGGER_NODE_TYPE]: new ManualTrigger(),
			[ITEM_SOURCE_NODE_TYPE]: itemSource(opts.inputItems ?? []),
			[typeName]: opts.nodeType,
		}),
	});
	const trigger = workflowData.nodes[0];
	const node = workflowData.nodes[workflowData.nodes.length - 1];

	const executionId = String(++executionCounter);
	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);
	// n8n persists the run handed to the first workflowExecuteAfter; on cancel that is the
	// 'canceled' snapshot, and the engine skips its later call.
	let reported: IRun | undefined;
	hooks.addHandler('workflowExecuteAfter', (fullRunData) => {
		reported ??= fullRunData;
	});
	const additionalData = buildAdditionalData(credentialsHelper, { executionId, hooks });
	additionalData.workflowId = workflow.id;

	const startedAt = performance.now();
	let run: IRun;
	let timer: NodeJS.Timeout | undefined;
	let onAbort: (() => void) | undefined;
	try {
		const execution = new WorkflowExecute(additionalData, 'manual').run({
			workflow,
			startNode: trigger,
		});
		// The UI's stop button ends up in PCancelable.cancel(), which aborts the execution signal.
		onAbort = () => execution.cancel();
		if (opts.cancelAfterMs !== undefined) timer = setTimeout(onAbort, opts.cancelAfterMs);
		if (opts.signal?.aborted) onAbort();
		opts.signal?.addEventListener('abort', onAbort, { once: true });
		run = await execution;
	} catch (error) {
		// Thrown before any node runs, e.g. WorkflowHasIssuesError for a missing required parameter.
		const durationMs = performance.now() - startedAt;
		return { items: [], error: toHarnessError(error), status: 'error', hints: [], durationMs, staticData: JSON.stringify(workflow.staticData) };
	} finally {
		clearTimeout(timer);
		if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
	}
	const durationMs = performance.now() - startedAt;

	const taskData = run.data.resultData.runData[node.name]?.at(-1);
	const error = taskData?.error ?? run.data.resultData.error;
	return {
		items: await Promise.all((taskData?.data?.main?.[0] ?? []).map(toHarnessItem)),
		error: error && toHarnessError(error),
		status: reported?.status ?? run.status,
		hints: taskData?.hints ?? [],
		durationMs,
		staticData: JSON.stringify(workflow.staticData),
	};
}
