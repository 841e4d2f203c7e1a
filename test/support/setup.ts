import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runNode, type RunNodeOptions, type RunResult } from '../harness';
import { ProlificEmulator, type EmulatorOptions } from '../emulator';
import { sampleBatches, sampleWorkspaces } from '../fixtures/sample-batch';
import { batchExportNode } from './node';

/** An emulator holding the sample workspaces and batches. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<ProlificEmulator> {
	const emulator = await ProlificEmulator.start({ pollsUntilComplete: 1, ...options });
	for (const workspace of sampleWorkspaces) emulator.addWorkspace(workspace);
	for (const batch of sampleBatches) emulator.addBatch(batch);
	return emulator;
}

export interface ExportRun {
	batchId?: string;
	output?: 'submissions' | 'tasks' | 'rows' | 'files' | 'summary' | 'archive' | 'report';
	includeFiles?: boolean;
	/** Node options; poll fast and give up early unless a test says otherwise. */
	options?: IDataObject;
	parameters?: INodeParameters;
	token?: string;
	baseUrl?: string;
	inputItems?: INodeExecutionData[];
	run?: Partial<RunNodeOptions>;
	/** The workflow's static data to start from; by default what the last run against this emulator left. */
	staticData?: string;
}

/**
 * Every run against one emulator is the same active workflow run again: its static data is kept
 * between runs, as n8n saves it after production executions.
 */
const workflowStaticData = new WeakMap<ProlificEmulator, string>();

/** Runs Prolific Batch Export in the n8n engine against the emulator. */
export async function runExport(emulator: ProlificEmulator, run: ExportRun = {}): Promise<RunResult> {
	const parameters: INodeParameters = {
		batch: { __rl: true, mode: 'id', value: run.batchId ?? '' },
		output: run.output ?? 'submissions',
		includeFiles: run.includeFiles ?? true,
		options: { pollInterval: 0.02, timeout: 10, ...run.options },
		...run.parameters,
	};
	const result = await runNode({
		nodeType: batchExportNode,
		staticData: run.staticData ?? workflowStaticData.get(emulator),
		parameters,
		credentials: {
			prolificApi: { apiToken: run.token ?? emulator.token, baseUrl: run.baseUrl ?? emulator.apiUrl },
		},
		inputItems: run.inputItems,
		...run.run,
	});
	workflowStaticData.set(emulator, result.staticData);
	return result;
}

export { apiCalls } from './requests';
