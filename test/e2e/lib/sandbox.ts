import type { ProlificEmulator } from '../../emulator';
import { sampleBatch } from '../../fixtures/sample-batch';
import { startSampleEmulator } from './emulator';
import { loadExamples, pointAtBatch } from './examples';
import type { Host } from './hosts';
import { N8N_OWNER, N8nInstance, type Workflow } from './n8n';
import { CREDENTIAL, exportNode, linear, manualTrigger, NODE_NAME } from './workflows';

export const TRY_WORKFLOW_ID = 'try-prolific-export';

/** The first workflow a new user opens: Manual Trigger -> Prolific Batch Export on the sample batch. */
export function tryWorkflow(): Workflow {
	const node = exportNode({ batch: sampleBatch.batch_id, output: 'submissions' });
	node.parameters.batch = { __rl: true, mode: 'list', value: sampleBatch.batch_id, cachedResultName: sampleBatch.name };
	node.parameters.options = {};
	const trigger = manualTrigger('When clicking ‘Execute workflow’');
	const workflow = linear(TRY_WORKFLOW_ID, 'Try Prolific Batch Export (emulator)', [trigger, node]);
	workflow.nodes[1].position = [300, 0];
	return workflow;
}

export interface Sandbox {
	n8n: N8nInstance;
	emulator: ProlificEmulator;
	/** the editor, at the "try" workflow */
	url: string;
	workflowIds: string[];
	stop(): Promise<void>;
}

export interface SandboxOptions {
	host: Host;
	tarball: string;
	/** keep data here between runs (npm start); default: a temporary folder */
	userFolder?: string;
	port?: number;
	emulatorPort?: number;
	emulatorDownloadPort?: number;
	log?: (line: string) => void;
	/** `n8n start`'s raw JSON log goes to this file; errors in it are passed to `onError`. */
	logFile?: string;
	onError?: (message: string) => void;
}

/**
 * Real n8n with this package installed from its tarball, the Prolific emulator, a
 * "Prolific (emulator)" credential, the examples (pointed at the sample batch) and a "try"
 * workflow imported, the editor running and its owner account set up.
 */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
	const log = opts.log ?? (() => undefined);
	const emulator = await startSampleEmulator({ pollsUntilComplete: 2, port: opts.emulatorPort, downloadPort: opts.emulatorDownloadPort });
	let n8n: N8nInstance | undefined;
	try {
		n8n = await N8nInstance.create(opts.host, { userFolder: opts.userFolder, port: opts.port });
		n8n.logFile = opts.logFile;
		n8n.onError = opts.onError;
		log(`installing the package into ${n8n.userFolder}/.n8n/nodes`);
		await n8n.installPackage(opts.tarball);
		log('importing the "Prolific (emulator)" credential and the workflows');
		await n8n.importCredentials([
			{ ...CREDENTIAL, type: 'prolificApi', data: { apiToken: emulator.token, baseUrl: emulator.apiUrl } },
		]);
		const examples = loadExamples().map(({ file, workflow }) =>
			pointAtBatch(workflow, {
				id: `example-${file.replace(/\.json$/, '')}`.slice(0, 36),
				credential: CREDENTIAL,
				batchId: sampleBatch.batch_id,
				batchName: sampleBatch.name,
			}),
		);
		const workflows = [tryWorkflow(), ...examples];
		await n8n.importWorkflows(workflows);
		log(`starting n8n ${opts.host.n8nVersion} on Node ${opts.host.nodeVersion}`);
		await n8n.startServer();
		await n8n.setupOwner();
		const instance = n8n;
		return {
			n8n,
			emulator,
			url: `${n8n.baseUrl}/workflow/${TRY_WORKFLOW_ID}`,
			workflowIds: workflows.map((w) => w.id),
			async stop() {
				await instance.dispose();
				await emulator.close();
			},
		};
	} catch (error) {
		await n8n?.dispose();
		await emulator.close();
		throw error;
	}
}

export { N8N_OWNER, NODE_NAME };
