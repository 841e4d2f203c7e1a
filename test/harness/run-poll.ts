import { ensureEngine } from './engine';

import { Container } from '@n8n/di';
import { PollContext, TriggersAndPollers } from 'n8n-core';
import type { IDataObject, INode, INodeParameters, INodeType } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { buildAdditionalData } from './additional-data';
import { HarnessCredentialsHelper } from './credentials-helper';
import { defaultCredentialTypes, latestVersion, nodeCredentials } from './defaults';
import { HarnessNodeTypes } from './node-types';
import { toHarnessError, toHarnessItem } from './run-node';
import type { HarnessCredentials, HarnessError, HarnessItem } from './types';

export interface RunPollOptions {
	nodeType: INodeType;
	typeName?: string;
	parameters: INodeParameters;
	credentials?: HarnessCredentials;
	/**
	 * The workflow's static data as n8n stored it after the last poll (JSON, as the database
	 * keeps it). Omit for a workflow that never polled.
	 */
	staticData?: string;
	/** 'trigger' for an active workflow's scheduled poll, 'manual' for the editor's test run. */
	mode?: 'trigger' | 'manual';
	timezone?: string;
}

export interface PollResult {
	/** What the poll emitted: null when it had nothing new. */
	items: HarnessItem[] | null;
	/** The static data n8n would save after this poll, as JSON. */
	staticData: string;
	error?: HarnessError;
}

/** One poll of a polling trigger, as n8n's poll engine runs it for an active workflow. */
export async function runPoll(opts: RunPollOptions): Promise<PollResult> {
	await ensureEngine();
	const typeName = opts.typeName ?? 'n8n-nodes-prolific.prolificBatchExportTrigger';
	const credentialsHelper = await HarnessCredentialsHelper.create(defaultCredentialTypes(), opts.credentials);
	const node: INode = {
		id: 'trigger-under-test',
		name: opts.nodeType.description.defaults.name ?? opts.nodeType.description.displayName,
		type: typeName,
		typeVersion: latestVersion(opts.nodeType),
		position: [0, 0],
		parameters: structuredClone(opts.parameters),
		credentials: nodeCredentials(opts.nodeType, opts.credentials),
	};
	const workflow = new Workflow({
		id: 'harness-poll-workflow',
		name: 'Harness poll workflow',
		nodes: [node],
		connections: {},
		active: opts.mode !== 'manual',
		nodeTypes: new HarnessNodeTypes({ [typeName]: opts.nodeType }),
		staticData: opts.staticData ? (JSON.parse(opts.staticData) as IDataObject) : undefined,
		settings: { timezone: opts.timezone ?? 'UTC' },
	});
	const manual = opts.mode === 'manual';
	const context = new PollContext(
		workflow,
		node,
		buildAdditionalData(credentialsHelper),
		manual ? 'manual' : 'trigger',
		manual ? 'manual' : 'activate',
	);
	try {
		const result = await Container.get(TriggersAndPollers).runPollFunction(workflow, node, context);
		const items = result ? await Promise.all(result[0].map(toHarnessItem)) : null;
		return { items, staticData: JSON.stringify(workflow.staticData) };
	} catch (error) {
		return { items: null, staticData: JSON.stringify(workflow.staticData), error: toHarnessError(error) };
	}
}
