/**
 * The peer: what a user builds in n8n without this node (HTTP Request downloads the archive ->
 * Compression decompresses it -> a Code node splits the JSONL and attaches each submission's
 * files), against Prolific Batch Export in the same real n8n (2.x, installed by the e2e setup
 * under test/e2e/), each run with `n8n execute` in a process of its own.
 *
 * Workflow time comes from n8n's execution data (startedAt -> stoppedAt). Memory is sampled from
 * /proc: the sum of the RSS of n8n and its task runner, at its peak while the workflow ran, and
 * n8n's own peak RSS over the whole command (GNU time's %M), which also covers n8n's start-up and
 * the printing and saving of the execution after the workflow.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';

import { host, type Host } from '../e2e/lib/hosts';
import { N8nInstance, type Workflow, type WorkflowNode } from '../e2e/lib/n8n';
import { packageTarball } from '../e2e/lib/package';
import { credentials, exportNode, linear, manualTrigger } from '../e2e/lib/workflows';
import { sampleTree } from './rss';

/** The Code node a user writes after Compression: one item per submission, its files attached. */
export const SPLIT_CODE = `// Split responses-by-submission.jsonl into one item per submission and attach its files,
// which the Compression node put on one item as file_0, file_1, ...
const input = $input.first();
const binaries = input.binary ?? {};
const byPath = {};
let jsonlKey;
for (const [key, file] of Object.entries(binaries)) {
  const path = file.directory ? file.directory + '/' + file.fileName : file.fileName;
  byPath[path] = key;
  if (path === 'responses-by-submission.jsonl') jsonlKey = key;
}
const text = (await this.helpers.getBinaryDataBuffer(0, jsonlKey)).toString('utf8');
const items = [];
for (const line of text.split('\\n')) {
  if (!line.trim()) continue;
  const submission = JSON.parse(line);
  const binary = {};
  const files = [];
  for (const task of Object.values(submission.responses ?? {})) {
    for (const response of Object.values(task)) {
      for (const file of response.files ?? []) {
        const key = byPath[file.path];
        if (!key) continue;
        const property = 'file_' + files.length;
        binary[property] = binaries[key];
        files.push({ binary_property: property, name: file.name, path: file.path });
      }
    }
  }
  items.push({ json: { ...submission, files }, binary });
}
return items;
`;

let counter = 0;
const id = () => `bench-node-${++counter}`;

export function peerWorkflow(workflowId: string, url: string): Workflow {
	const nodes: WorkflowNode[] = [
		manualTrigger(),
		{
			id: id(),
			name: 'Download Export',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [0, 0],
			parameters: { url, options: { response: { response: { responseFormat: 'file' } } } },
		},
		{
			id: id(),
			name: 'Unzip',
			type: 'n8n-nodes-base.compression',
			typeVersion: 1.1,
			position: [0, 0],
			parameters: { operation: 'decompress', binaryPropertyName: 'data', outputPrefix: 'file_' },
		},
		{
			id: id(),
			name: 'Split Submissions',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [0, 0],
			parameters: { mode: 'runOnceForAllItems', language: 'javaScript', jsCode: SPLIT_CODE },
		},
	];
	return linear(workflowId, `bench peer ${workflowId}`, nodes);
}

export function oursWorkflow(workflowId: string, batchId: string, includeFiles = true): Workflow {
	const node = exportNode({ batch: batchId, output: 'submissions', includeFiles, options: { pollInterval: 1, timeout: 600 } });
	return linear(workflowId, `bench ours ${workflowId}`, [manualTrigger(), node]);
}

/** Manual Trigger -> one built-in node. */
function oneNode(workflowId: string, name: string, type: string, typeVersion: number, parameters: Record<string, unknown>): Workflow {
	const node: WorkflowNode = { id: id(), name, type, typeVersion, position: [0, 0], parameters };
	return linear(workflowId, `bench ${workflowId}`, [manualTrigger(), node]);
}

export function idleWorkflow(workflowId: string): Workflow {
	return oneNode(workflowId, 'No Operation', 'n8n-nodes-base.noOp', 1, {});
}

/**
 * Lengths of the workflows that only wait, one of which is run after each measured workflow: n8n
 * itself grows for a while after it starts (its task runner starting, modules loaded lazily), so
 * a workflow's memory is compared with a wait of about its length, not with an instant one. Under
 * 65 s, which n8n keeps in memory rather than parking in the database.
 */
export const WAIT_SECONDS = [1, 2, 4, 8, 15, 30, 60];

export const waitWorkflowId = (seconds: number) => `benchWait_${seconds}`;

export function waitWorkflow(seconds: number): Workflow {
	return oneNode(waitWorkflowId(seconds), 'Wait', 'n8n-nodes-base.wait', 1.1, { amount: seconds });
}

/** The wait closest in length to a run of `ms`. */
export function closestWait(ms: number): number {
	return WAIT_SECONDS.reduce((best, seconds) => (Math.abs(seconds * 1000 - ms) < Math.abs(best * 1000 - ms) ? seconds : best));
}

export interface N8nRun {
	ok: boolean;
	status?: string;
	/** startedAt -> stoppedAt of the execution */
	workflowMs: number;
	/** the whole `n8n execute` command, start-up included */
	commandMs: number;
	/** user + system CPU of the command (n8n and its task runner), start-up included */
	cpuMs: number;
	/** n8n + task runner RSS summed, peak while the workflow ran */
	workflowPeakKb: number;
	/** the largest single process's peak RSS over the whole command (GNU time %M) */
	processPeakKb: number;
	/** the last node's item count, when the printed execution was small enough to read */
	items?: number;
	/** peak of the wait of about this run's length that ran right after it (see WAIT_SECONDS) */
	baselinePeakKb?: number;
	error?: string;
}

export class PeerHost {
	private constructor(
		readonly n8n: N8nInstance,
		readonly host: Host,
	) {}

	/** The installed n8n 2.x host (test/e2e's setup), or a reason why there is none. */
	static available(): Host | string {
		try {
			return host(2);
		} catch (error) {
			return (error as Error).message;
		}
	}

	static async start(n8nHost: Host, apiUrl: string, token: string, workflows: Workflow[]): Promise<PeerHost> {
		const n8n = await N8nInstance.create(n8nHost);
		await n8n.installPackage(packageTarball());
		await n8n.importCredentials(credentials(apiUrl, token));
		await n8n.importWorkflows(workflows);
		return new PeerHost(n8n, n8nHost);
	}

	/** `n8n execute --id <id> --rawOutput`, its output to a file (the execution it prints can be hundreds of MB). */
	async execute(workflowId: string, timeoutMs = 600_000): Promise<N8nRun> {
		const outFile = `${this.n8n.userFolder}/execute-${workflowId}-${Date.now()}.out`;
		const out = openSync(outFile, 'w');
		const started = Date.now();
		const child = spawn(
			'/usr/bin/time',
			['-f', 'BENCH_TIME %e %U %S %M', this.host.node, this.host.n8n, 'execute', `--id=${workflowId}`, '--rawOutput'],
			{ env: this.n8n.env(), cwd: this.n8n.userFolder, stdio: ['ignore', out, 'pipe'], detached: true },
		);
		closeSync(out);
		const sampler = sampleTree(child.pid ?? 0, 50);
		let stderr = '';
		child.stderr?.on('data', (chunk: Buffer) => {
			stderr = (stderr + chunk.toString()).slice(-20_000);
		});
		const timer = setTimeout(() => {
			if (child.pid) process.kill(-child.pid, 'SIGKILL');
		}, timeoutMs);
		const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
		clearTimeout(timer);
		const tree = sampler.stop();
		const commandMs = Date.now() - started;
		const time = /BENCH_TIME (\S+) (\S+) (\S+) (\d+)/.exec(stderr);
		const summary = executionSummary(outFile);
		const from = summary.startedAt ? Date.parse(summary.startedAt) : started;
		const to = summary.stoppedAt ? Date.parse(summary.stoppedAt) : Date.now();
		return {
			ok: code === 0 && summary.status === 'success',
			status: summary.status,
			workflowMs: to - from,
			commandMs,
			cpuMs: time ? (Number(time[2]) + Number(time[3])) * 1000 : NaN,
			// Samples are 50 ms apart: take the window's edges generously.
			workflowPeakKb: tree.peakKb(from - 50, to + 50),
			processPeakKb: time ? Number(time[4]) : NaN,
			items: summary.items,
			error: code === 0 ? undefined : `exit ${code}: ${stderr.slice(-2000)}`,
		};
	}

	async dispose(): Promise<void> {
		await this.n8n.dispose();
	}
}

/**
 * startedAt, stoppedAt and status of the execution n8n printed, without parsing it whole: the
 * printed execution (pretty JSON, inside a JSON log line) can be larger than a string may be.
 * The run's own fields come after its data, so the end of the file holds them.
 */
export function executionSummary(file: string): { startedAt?: string; stoppedAt?: string; status?: string; items?: number } {
	const size = statSync(file).size;
	const tailSize = Math.min(size, 64 * 1024);
	const fd = openSync(file, 'r');
	const tail = Buffer.alloc(tailSize);
	readSync(fd, tail, 0, tailSize, size - tailSize);
	closeSync(fd);
	const text = tail.toString('utf8').replace(/\\"/g, '"');
	const field = (name: string) => [...text.matchAll(new RegExp(`"${name}":\\s*"([^"]+)"`, 'g'))].at(-1)?.[1];
	let items: number | undefined;
	if (size < 64 * 1024 * 1024) items = lastNodeItems(readFileSync(file, 'utf8'));
	return { startedAt: field('startedAt'), stoppedAt: field('stoppedAt'), status: field('status'), items };
}

function lastNodeItems(stdout: string): number | undefined {
	for (const line of stdout.split('\n')) {
		let message: string;
		try {
			message = String((JSON.parse(line) as { message?: unknown }).message ?? '');
		} catch {
			continue;
		}
		if (!message.includes('"resultData"')) continue;
		try {
			const run = JSON.parse(message) as {
				data: { resultData: { runData: Record<string, Array<{ data?: { main: unknown[][] } }>>; lastNodeExecuted?: string } };
			};
			const last = run.data.resultData.lastNodeExecuted;
			return last ? run.data.resultData.runData[last]?.[0]?.data?.main[0]?.length : undefined;
		} catch {
			return undefined;
		}
	}
	return undefined;
}
