/**
 * One measured case, in a process of its own so that its peak RSS is the case's alone.
 * Started by test/bench/bench.ts:  node --import tsx test/bench/child.ts '<CaseRequest JSON>'
 * Prints one line `BENCH_RESULT <CaseResult JSON>`.
 *
 * - idle:  the engine set up as for a node case (n8n-core, filesystem binary store, the node
 *          module loaded) running a trivial node: the baseline "memory the export adds" is taken from.
 * - node:  Prolific Batch Export in the engine against the emulator the parent serves.
 * - floor: Debian's `unzip` extracting the archive, then JSON.parse of every line of both JSONL
 *          files, timed together.
 * - store: n8n's binary store alone, for reference: the archive's uploads, extracted beforehand
 *          (not timed), each stored by a trivial node through `prepareBinaryData` with a file
 *          stream, eight at a time as the node stores them. What any node pays n8n per upload.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { INodeType } from 'n8n-workflow';

/** What the node needs to export one batch from the emulator. */
export interface NodeRun {
	apiUrl: string;
	token: string;
	batchId: string;
	output: string;
	includeFiles: boolean;
	pollInterval: number;
}

export type CaseRequest =
	/**
	 * `warmUp`: an export of a small batch run first and not measured, as a running n8n has
	 * already loaded what the node's first execution loads lazily (the idle case runs it too).
	 */
	| { kind: 'idle'; nodeModule: string; warmUp?: NodeRun }
	| ({ kind: 'node'; nodeModule: string; warmUp?: NodeRun } & NodeRun)
	| { kind: 'floor'; archive: string }
	| { kind: 'store'; archive: string };

export interface CaseResult {
	/** the measured part: the workflow run (idle, node) or unzip + parse (floor) */
	wallMs: number;
	/** CPU time (user + system) of the measured part, child processes included */
	cpuMs: number;
	/** peak RSS of the whole process (KB); for the floor, the larger of unzip's and the parser's */
	maxRssKb: number;
	status?: string;
	error?: string;
	items?: number;
	binaries?: number;
	binaryBytes?: number;
	records?: number;
	extra?: Record<string, number>;
}

function loadNode(modulePath: string): INodeType {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const module = require(resolve(modulePath)) as Record<string, new () => INodeType>;
	const NodeClass = module.ProlificBatchExport;
	if (!NodeClass) throw new Error(`${modulePath} exports no ProlificBatchExport`);
	return new NodeClass();
}

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/**
 * This process's peak RSS in KB: VmHWM, the high-water mark of its own address space. Not
 * getrusage's maxRSS, which Linux carries over from the parent across fork and exec, so a child
 * of a parent that holds a 500 MB archive would start at 500 MB.
 */
export function peakRssKb(pid: number | 'self' = 'self'): number {
	const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
	return Number(match[1]);
}

async function engineCase(request: Extract<CaseRequest, { kind: 'idle' | 'node' }>): Promise<CaseResult> {
	const { runInEngine, storedBinaries } = await import('./engine');
	const { itemSource } = await import('../harness/node-types');
	// Loaded in the idle case too: n8n loads installed packages whether or not a workflow uses them.
	const node = loadNode(request.nodeModule);
	const exportRun = async (run: NodeRun) => {
		const result = await runInEngine(
			node,
			{
				batch: { __rl: true, mode: 'id', value: run.batchId },
				output: run.output,
				includeFiles: run.includeFiles,
				options: { pollInterval: run.pollInterval, timeout: 600 },
			},
			{ prolificApi: { apiToken: run.token, baseUrl: run.apiUrl } },
		);
		if (result.status !== 'success') throw new Error(`export of ${run.batchId} failed: ${result.error}`);
		return result;
	};
	if (request.warmUp) await exportRun(request.warmUp);
	// The warm-up's garbage is collected now, not on the measured run's time (the parent passes --expose-gc).
	(globalThis as { gc?: () => void }).gc?.();
	const startedAt = Date.now();
	const started = process.cpuUsage();
	// The idle case's trivial node emits one empty item.
	const run = request.kind === 'idle' ? await runInEngine(itemSource([{ json: {} }]), {}) : await exportRun(request);
	const cpu = cpuMs(process.cpuUsage(started));
	const { count, bytes } = storedBinaries(run.items);
	return {
		wallMs: run.workflowMs,
		cpuMs: cpu,
		maxRssKb: peakRssKb(),
		status: run.status,
		error: run.error,
		items: run.items.length,
		binaries: count,
		binaryBytes: bytes,
		// Epoch ms, to place the emulator's request log (same clock) inside the run.
		extra: { startedAt, endedAt: Date.now() },
	};
}

function floorCase(request: Extract<CaseRequest, { kind: 'floor' }>): CaseResult {
	const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
	try {
		const startedCpu = process.cpuUsage();
		const started = performance.now();
		const unzip = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', 'unzip', '-q', '-o', request.archive, '-d', dir], {
			encoding: 'utf8',
		});
		if (unzip.status !== 0) throw new Error(`unzip failed (${unzip.status}): ${unzip.stderr}`);
		const unzipMs = performance.now() - started;
		let records = 0;
		for (const name of ['responses-by-submission.jsonl', 'responses-by-task.jsonl']) {
			for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
				if (line.trim() === '') continue;
				JSON.parse(line);
				records++;
			}
		}
		const wallMs = performance.now() - started;
		const own = cpuMs(process.cpuUsage(startedCpu));
		const [, , user, system, rss] = /TIME (\S+) (\S+) (\S+) (\d+)/.exec(unzip.stderr) ?? [];
		return {
			wallMs,
			cpuMs: own + (Number(user) + Number(system)) * 1000,
			maxRssKb: Math.max(Number(rss), peakRssKb()),
			records,
			extra: { unzipMs, unzipRssKb: Number(rss), parseMs: wallMs - unzipMs },
		};
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

async function storeCase(request: Extract<CaseRequest, { kind: 'store' }>): Promise<CaseResult> {
	const { runInEngine, storedBinaries } = await import('./engine');
	const { uploadStore } = await import('./upload-store');
	const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
	try {
		const unzip = spawnSync('unzip', ['-q', '-o', request.archive, 'files/*', '-d', dir], { encoding: 'utf8' });
		if (unzip.status !== 0) throw new Error(`unzip failed (${unzip.status}): ${unzip.stderr}`);
		const files = join(dir, 'files');
		// As in the node cases: the engine's first run loads what it loads lazily, then garbage is collected.
		await runInEngine(uploadStore(files, 1), {});
		(globalThis as { gc?: () => void }).gc?.();
		const started = process.cpuUsage();
		const run = await runInEngine(uploadStore(files), {});
		const cpu = cpuMs(process.cpuUsage(started));
		const { count, bytes } = storedBinaries(run.items);
		return { wallMs: run.workflowMs, cpuMs: cpu, maxRssKb: peakRssKb(), status: run.status, error: run.error, items: run.items.length, binaries: count, binaryBytes: bytes };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

async function main(): Promise<void> {
	const request = JSON.parse(process.argv[2] ?? '') as CaseRequest;
	const result = request.kind === 'floor' ? floorCase(request) : request.kind === 'store' ? await storeCase(request) : await engineCase(request);
	process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

if (require.main === module) {
	main().then(
		() => process.exit(0),
		(error: unknown) => {
			console.error(error);
			process.exit(1);
		},
	);
}
