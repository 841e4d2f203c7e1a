/**
 * npm run bench [-- --quick] [--reps N] [--peer-reps N] [--sizes small,medium,large[,huge]] [--no-peer]
 *               [--node path/to/ProlificBatchExport.node.ts] [--baseline path/to/other.node.ts] [--out DIR]
 *               [--engine-node path/to/node] [--host-rate MB/s] [--outputs files,submissions,...]
 * npm run bench -- --render test/bench/results/results.json   (re-renders results.md and chart.svg)
 *
 * Speed and memory of Prolific Batch Export against
 * - the floor: Debian's `unzip` extracting the same archive plus JSON.parse of every JSONL line;
 * - the peer: the do-it-yourself n8n workflow (HTTP Request -> Compression -> Code), in real n8n.
 *
 * Synthetic exports (test/bench/synthetic.ts) are generated into a temporary folder and served by
 * the emulator from this process on 127.0.0.1. Every measured case runs in a child process of its
 * own (test/bench/child.ts), so its peak RSS is its own, after `sync` has written out what the
 * cases before it left for the disk to write (up to gigabytes), so that no case pays for another's
 * writes; cases are interleaved and repeated, and
 * each ratio is taken between runs of the same repetition, then the median over repetitions.
 * Writes results.json, results.md and chart.svg to test/bench/results/ (a --quick run writes to
 * a temporary folder unless --out says where). --baseline runs every node case a second time with
 * another copy of the node (e.g. `git archive` of an older commit, with a node_modules symlink),
 * interleaved with the current one, for before/after figures taken under the same load.
 * --engine-node runs the engine cases and the floor's parser on another Node binary (n8n 2.x
 * runs on Node 24; this machine's Node, which the harness uses by default, is 20).
 * --host-rate limits the emulator's storage host to that many MB (10^6 bytes) per second per
 * download, as a host across a network sends; by default it sends as fast as this machine goes.
 * --outputs runs only those outputs (with and without files), for a quicker side-by-side.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import type { INodeProperties, INodeType } from 'n8n-workflow';

import { ProlificEmulator } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import type { CaseRequest, CaseResult, NodeRun } from './child';
import { closestWait, idleWorkflow, oursWorkflow, PeerHost, peerWorkflow, WAIT_SECONDS, waitWorkflow, waitWorkflowId, type N8nRun } from './peer';
import { renderChart, renderMarkdown, summarise, type BenchResults, type EngineCase, type PeerCase, type RawResults, type SizeInfo } from './report';
import { syntheticBatch, writeSyntheticArchive, type SyntheticSpec } from './synthetic';

const REPO = resolve(__dirname, '..', '..');
const DEFAULT_NODE = join(REPO, 'nodes', 'ProlificBatchExport', 'ProlificBatchExport.node.ts');
const RESULTS = join(__dirname, 'results');

const SIZES: Record<'full' | 'quick', Record<string, SyntheticSpec>> = {
	full: {
		small: { label: '1k submissions', seed: 'bench-small', submissions: 1_000, tasks: 5, filesPerTask: 0 },
		medium: { label: '20k submissions x 5 tasks', seed: 'bench-medium', submissions: 20_000, tasks: 5, filesPerTask: 0 },
		large: {
			label: '2k files, 500 MB',
			seed: 'bench-large',
			submissions: 1_000,
			tasks: 2,
			filesPerTask: 1,
			fileBytes: [50_000, 450_000],
		},
		// Not run by default (`--sizes huge`, about 15 minutes and 20 GB of disk): past 4 GiB, so the
		// archive is ZIP64, and larger than Node 20 holds in one Buffer. Photos, not thumbnails, and
		// 9,800 of them: under the default Max Files.
		huge: {
			label: '9.8k files, 4.4 GB (ZIP64)',
			seed: 'bench-huge',
			submissions: 4_900,
			tasks: 2,
			filesPerTask: 1,
			fileBytes: [200_000, 700_000],
		},
	},
	quick: {
		small: { label: '100 submissions', seed: 'bench-small', submissions: 100, tasks: 5, filesPerTask: 0 },
		medium: { label: '1k submissions x 5 tasks', seed: 'bench-medium', submissions: 1_000, tasks: 5, filesPerTask: 0 },
		large: { label: '100 files, 5 MB', seed: 'bench-large', submissions: 50, tasks: 2, filesPerTask: 1, fileBytes: [10_000, 90_000] },
	},
};

/** Poll interval the node is configured with (the measured runs never poll: the export is complete at once). */
const POLL_INTERVAL_S = 1;

const log = (line: string) => console.log(`[bench] ${line}`);

/** Writes out what earlier cases left in the page cache for the disk, before the next case starts. */
const settleDisk = () => execFileSync('sync');

function preflight(): void {
	const missing = ['/usr/bin/unzip', '/usr/bin/time'].filter((tool) => !existsSync(tool));
	if (missing.length) {
		console.error(
			`The benchmark needs ${missing.join(' and ')} (Debian packages ${missing.map((m) => m.split('/').pop()).join(', ')}).\n` +
				`Install with: sudo apt-get install -y ${missing.map((m) => m.split('/').pop()).join(' ')}`,
		);
		process.exit(2);
	}
	if (!existsSync('/proc/self/status')) {
		console.error('The benchmark reads peak memory from /proc: it runs on Linux only.');
		process.exit(2);
	}
}

/** Runs one case in a child process (test/bench/child.ts) and returns what it measured. */
export async function runChild(request: CaseRequest, timeoutMs = 600_000, nodeBinary = process.execPath): Promise<CaseResult> {
	const child = spawn(nodeBinary, ['--expose-gc', '--import', 'tsx', join(__dirname, 'child.ts'), JSON.stringify(request)], {
		cwd: REPO,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { ...process.env, NODE_OPTIONS: '' },
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-10_000)));
	const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
	const code = await new Promise<number | null>((done) => child.once('close', done));
	clearTimeout(timer);
	const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
	if (code !== 0 || !line) {
		return { wallMs: NaN, cpuMs: NaN, maxRssKb: NaN, error: `child exited ${code}: ${stderr.trim().slice(-1500)}` };
	}
	return JSON.parse(line.slice('BENCH_RESULT '.length)) as CaseResult;
}

interface ExportJob {
	status: string;
	export_id?: string;
	url?: string;
}

/** The batch's export job: asked for (POST), or with its ID, polled (GET). */
async function exportJob(emulator: ProlificEmulator, batchId: string, exportId = ''): Promise<ExportJob> {
	const url = `${emulator.apiUrl}/api/v1/data-collection/batches/${batchId}/export${exportId && `/${exportId}`}`;
	const response = await fetch(url, { method: exportId ? 'GET' : 'POST', headers: { authorization: `Token ${emulator.token}` } });
	return (await response.json()) as ExportJob;
}

/** Has the emulator build the batch's export once, so that each measured POST answers `complete` at once. */
export async function completeExport(emulator: ProlificEmulator, batchId: string): Promise<void> {
	let job = await exportJob(emulator, batchId);
	for (let i = 0; job.status !== 'complete'; i++) {
		if (i > 10) throw new Error(`the emulator never completed ${batchId}: ${JSON.stringify(job)}`);
		job = await exportJob(emulator, batchId, job.export_id);
	}
}

async function presignedUrl(emulator: ProlificEmulator, batchId: string): Promise<string> {
	const job = await exportJob(emulator, batchId);
	if (job.status !== 'complete' || !job.url) throw new Error(`no download link for ${batchId}: ${JSON.stringify(job)}`);
	return job.url;
}

/** Every output the node offers, and whether Include Files applies to it. */
function outputModes(nodeModule: string): Array<{ output: string; includeFiles: boolean }> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const NodeClass = (require(nodeModule) as Record<string, new () => INodeType>).ProlificBatchExport;
	const properties = new NodeClass().description.properties;
	const output = properties.find((p) => p.name === 'output');
	const includeFiles = properties.find((p) => p.name === 'includeFiles') as INodeProperties | undefined;
	const withToggle = new Set((includeFiles?.displayOptions?.show?.output as string[] | undefined) ?? []);
	const modes = ((output?.options ?? []) as Array<{ value: string }>).map((o) => o.value);
	return modes.flatMap((mode) =>
		withToggle.has(mode) ? [{ output: mode, includeFiles: true }, { output: mode, includeFiles: false }] : [{ output: mode, includeFiles: true }],
	);
}

const STATUS_PATH = /\/export\/[^/]+\/?$/;

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			quick: { type: 'boolean', default: false },
			reps: { type: 'string' },
			'peer-reps': { type: 'string' },
			sizes: { type: 'string' },
			'no-peer': { type: 'boolean', default: false },
			node: { type: 'string' },
			baseline: { type: 'string' },
			'engine-node': { type: 'string' },
			render: { type: 'string' },
			out: { type: 'string' },
			'host-rate': { type: 'string' },
			outputs: { type: 'string' },
		},
	});
	if (values.render) {
		const file = resolve(values.render);
		const results = summarise(JSON.parse(readFileSync(file, 'utf8')) as RawResults);
		writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
		writeFileSync(join(dirname(file), 'results.md'), renderMarkdown(results));
		writeFileSync(join(dirname(file), 'chart.svg'), renderChart(results));
		log(`re-rendered ${dirname(file)}`);
		return;
	}
	preflight();
	const quick = values.quick ?? false;
	const reps = Number(values.reps ?? (quick ? 1 : 3));
	const peerReps = Number(values['peer-reps'] ?? (quick ? 1 : 2));
	const nodeModule = resolve(values.node ?? DEFAULT_NODE);
	const engineNode = values['engine-node'] ? resolve(values['engine-node']) : process.execPath;
	const engineNodeVersion = execFileSync(engineNode, ['--version'], { encoding: 'utf8' }).trim();
	const child = (request: CaseRequest) => runChild(request, 600_000, engineNode);
	const variants = [
		{ variant: undefined, module: nodeModule },
		...(values.baseline ? [{ variant: 'baseline' as const, module: resolve(values.baseline) }] : []),
	];
	const sizeKeys = (values.sizes ?? 'small,medium,large').split(',').map((s) => s.trim());
	const specs = SIZES[quick ? 'quick' : 'full'];
	for (const key of sizeKeys) if (!specs[key]) throw new Error(`unknown size '${key}' (small, medium, large${quick ? '' : ', huge'})`);
	const outDir = resolve(values.out ?? (quick ? mkdtempSync(join(tmpdir(), 'prolific-bench-results-')) : RESULTS));
	const started = Date.now();
	const loadAtStart = loadavg();
	const work = mkdtempSync(join(tmpdir(), 'prolific-bench-'));
	let emulator: ProlificEmulator | undefined;
	try {
		// 1. The archives, streamed to disk.
		const sizes: SizeInfo[] = [];
		const synthetic = new Map(sizeKeys.map((key) => [key, syntheticBatch(specs[key])]));
		for (const key of sizeKeys) {
			const t = Date.now();
			const batch = synthetic.get(key)!;
			const written = await writeSyntheticArchive(batch, join(work, `${key}.zip`));
			sizes.push({
				key,
				label: specs[key].label,
				spec: specs[key],
				batchId: batch.batch.batch_id,
				archivePath: written.path,
				archiveBytes: written.bytes,
				files: written.files,
				fileBytes: written.fileBytes,
				jsonlBytes: written.jsonlBytes,
				submissions: specs[key].submissions,
			});
			log(`${key}: ${specs[key].label}: ${(written.bytes / 1e6).toFixed(1)} MB archive, ${written.files} files, ` +
				`${(written.jsonlBytes / 1e6).toFixed(1)} MB of JSONL, generated in ${((Date.now() - t) / 1000).toFixed(1)} s`);
		}

		// 2. The emulator serves them from disk (and the sample batch, for warm-up runs) from this process.
		emulator = await ProlificEmulator.start({ behaviour: 'A', pollsUntilComplete: 0, downloadBytesPerSecond: Number(values['host-rate'] ?? 0) * 1e6 });
		emulator.addBatch(sampleBatch);
		await completeExport(emulator, sampleBatch.batch_id);
		for (const size of sizes) {
			emulator.addBatch(synthetic.get(size.key)!.batch, { path: size.archivePath, size: size.archiveBytes });
			await completeExport(emulator, size.batchId);
		}
		const { apiUrl, token } = emulator;
		const nodeRun = (batchId: string, output: string, includeFiles: boolean): NodeRun => ({
			apiUrl,
			token,
			batchId,
			output,
			includeFiles,
			pollInterval: POLL_INTERVAL_S,
		});
		const only = values.outputs?.split(',').map((s) => s.trim());
		const modes = outputModes(nodeModule).filter(({ output }) => !only || only.includes(output));
		for (const output of only ?? []) if (!modes.some((m) => m.output === output)) throw new Error(`unknown output '${output}'`);
		log(`node: ${nodeModule}; outputs: ${modes.map((m) => `${m.output}${m.includeFiles ? '' : ' (no files)'}`).join(', ')}`);

		// 3. Engine cases, floor and idle: interleaved, repeated.
		const engine: EngineCase[] = [];
		const record = (c: Omit<EngineCase, 'runs'>, rep: number, result: CaseResult, extra: Partial<CaseResult> = {}) => {
			let entry = engine.find(
				(e) => e.size === c.size && e.kind === c.kind && e.output === c.output && e.includeFiles === c.includeFiles && e.variant === c.variant,
			);
			if (!entry) engine.push((entry = { ...c, runs: [] }));
			entry.runs[rep] = { ...result, ...extra };
		};
		for (let rep = 0; rep < reps; rep++) {
			const warmUp = (output: string, includeFiles: boolean) => nodeRun(sampleBatch.batch_id, output, includeFiles);
			const idle = await child({ kind: 'idle', nodeModule, warmUp: warmUp('submissions', true) });
			record({ size: '-', kind: 'idle' }, rep, idle);
			log(`rep ${rep + 1}/${reps} idle: ${(idle.maxRssKb / 1024).toFixed(0)} MB`);
			for (const size of sizes) {
				// Rotate the order, so no case always runs first (or right after the largest one).
				const cases: Array<() => Promise<void>> = [
					async () => record({ size: size.key, kind: 'floor' }, rep, await child({ kind: 'floor', archive: size.archivePath })),
					...(size.files ? [async () => record({ size: size.key, kind: 'store' }, rep, await child({ kind: 'store', archive: size.archivePath }))] : []),
					...modes.flatMap(({ output, includeFiles }) =>
						variants.map(({ variant, module }) => async () => {
							const from = emulator!.requests.length;
							const result = await child({
								kind: 'node',
								nodeModule: module,
								warmUp: warmUp(output, includeFiles),
								...nodeRun(size.batchId, output, includeFiles),
							});
							const requests = emulator!.requests.slice(from).filter((r) => r.path.includes(size.batchId));
							const statusPolls = requests.filter((r) => r.origin === 'api' && r.method === 'GET' && STATUS_PATH.test(r.path)).length;
							const extra = { extra: { ...result.extra, statusPolls } };
							record({ size: size.key, kind: 'node', output, includeFiles, variant }, rep, result, extra);
						}),
					),
				];
				const shift = rep % cases.length;
				for (const run of [...cases.slice(shift), ...cases.slice(0, shift)]) {
					settleDisk();
					await run();
				}
				const floor = engine.find((e) => e.size === size.key && e.kind === 'floor')!.runs[rep];
				log(`rep ${rep + 1}/${reps} ${size.key}: floor ${(floor.wallMs / 1000).toFixed(2)} s; node ` +
					engine
						.filter((e) => e.size === size.key && e.kind === 'node')
						.map((e) => `${e.variant ? `${e.variant} ` : ''}${e.output}${e.includeFiles ? '' : '-'} ${(e.runs[rep].wallMs / 1000).toFixed(2)}`)
						.join(', '));
			}
		}

		// 4. The lifecycle: no status polls after an immediate `complete` (counted above), and the
		//    download right after the poll that finds the export complete, with both server behaviours.
		const lifecycle = [];
		for (const behaviour of ['A', 'B'] as const) {
			emulator.behaviour = behaviour;
			emulator.pollsUntilComplete = 2;
			emulator.reset();
			const from = emulator.requests.length;
			const result = await child({ kind: 'node', nodeModule, ...nodeRun(sampleBatch.batch_id, 'submissions', true) });
			const requests = emulator.requests.slice(from);
			const polls = requests.filter((r) => r.origin === 'api' && r.method === 'GET' && STATUS_PATH.test(r.path));
			const download = requests.find((r) => r.origin === 'download');
			const lastPoll = polls.at(-1);
			lifecycle.push({
				behaviour,
				pollsUntilComplete: 2,
				pollIntervalMs: POLL_INTERVAL_S * 1000,
				statusPolls: polls.length,
				downloadAfterCompleteMs: download && lastPoll ? download.at - lastPoll.at : NaN,
				ok: result.status === 'success',
				error: result.error,
			});
			log(`lifecycle ${behaviour}: ${polls.length} polls, download ${lifecycle.at(-1)!.downloadAfterCompleteMs} ms after the poll that found it complete`);
		}
		emulator.behaviour = 'A';
		emulator.pollsUntilComplete = 0;
		emulator.reset();
		for (const size of sizes) await completeExport(emulator, size.batchId);

		// 5. The peer, in real n8n.
		const peer: PeerCase[] = [];
		let peerSkipped: string | undefined;
		const n8nHost = values['no-peer'] ? '--no-peer given' : PeerHost.available();
		if (typeof n8nHost === 'string') {
			peerSkipped = n8nHost;
			log(`peer skipped: ${peerSkipped}`);
		} else {
			log(`peer: n8n ${n8nHost.n8nVersion} on Node ${n8nHost.nodeVersion}; building and packing this package`);
			execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
			const workflows = [idleWorkflow('benchIdle'), ...WAIT_SECONDS.map(waitWorkflow)];
			for (const size of sizes) {
				workflows.push(peerWorkflow(`benchPeer_${size.key}`, await presignedUrl(emulator, size.batchId)));
				workflows.push(oursWorkflow(`benchOurs_${size.key}`, size.batchId));
				workflows.push(oursWorkflow(`benchOursRecords_${size.key}`, size.batchId, false));
			}
			const host = await PeerHost.start(n8nHost, apiUrl, token, workflows);
			try {
				// Each measured run, then a wait of about its length: what n8n grows by meanwhile on its own.
				const measure = async (workflowId: string) => {
					settleDisk();
					const run = await host.execute(workflowId);
					const wait = await host.execute(waitWorkflowId(closestWait(run.workflowMs)));
					return { ...run, baselinePeakKb: wait.ok ? wait.workflowPeakKb : undefined };
				};
				const recordPeer = (size: string, workflow: PeerCase['workflow'], rep: number, run: N8nRun) => {
					let entry = peer.find((p) => p.size === size && p.workflow === workflow);
					if (!entry) peer.push((entry = { size, workflow, runs: [] }));
					entry.runs[rep] = run;
				};
				for (let rep = 0; rep < peerReps; rep++) {
					recordPeer('-', 'idle', rep, await host.execute('benchIdle'));
					for (const size of sizes) {
						const runs = [
							async () => recordPeer(size.key, 'peer', rep, await measure(`benchPeer_${size.key}`)),
							async () => recordPeer(size.key, 'ours', rep, await measure(`benchOurs_${size.key}`)),
							async () => recordPeer(size.key, 'ours-records', rep, await measure(`benchOursRecords_${size.key}`)),
						];
						for (const run of rep % 2 ? runs.reverse() : runs) await run();
						const [p, o, n] = ['peer', 'ours', 'ours-records'].map((w) => peer.find((e) => e.size === size.key && e.workflow === w)!.runs[rep]);
						log(`peer rep ${rep + 1}/${peerReps} ${size.key}: DIY workflow ${(p.workflowMs / 1000).toFixed(2)} s, ` +
							`${(p.workflowPeakKb / 1024).toFixed(0)} MB; node ${(o.workflowMs / 1000).toFixed(2)} s, ${(o.workflowPeakKb / 1024).toFixed(0)} MB; ` +
							`without files ${(n.workflowMs / 1000).toFixed(2)} s`);
					}
				}
			} finally {
				await host.dispose();
			}
		}

		// 6. Results.
		const results: BenchResults = summarise({
			command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
			date: new Date().toISOString(),
			durationS: Math.round((Date.now() - started) / 1000),
			machine: {
				cpus: cpus().length,
				cpuModel: cpus()[0]?.model ?? '?',
				memoryGb: Math.round(totalmem() / 2 ** 30),
				node: process.version,
				engineNode: engineNodeVersion,
				loadAverageAtStart: loadAtStart.map((l) => +l.toFixed(2)),
				loadAverageAtEnd: loadavg().map((l) => +l.toFixed(2)),
				...(values['host-rate'] && { hostRateMBps: Number(values['host-rate']) }),
			},
			commit: gitDescribe(),
			nodeModule: nodeModule.startsWith(REPO) ? nodeModule.slice(REPO.length + 1) : nodeModule,
			baselineModule: values.baseline,
			reps,
			peerReps,
			n8n: typeof n8nHost === 'string' ? undefined : { version: n8nHost.n8nVersion, node: n8nHost.nodeVersion },
			sizes,
			engine,
			peer,
			peerSkipped,
			lifecycle,
		});
		mkdirSync(outDir, { recursive: true });
		writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
		writeFileSync(join(outDir, 'results.md'), renderMarkdown(results));
		writeFileSync(join(outDir, 'chart.svg'), renderChart(results));
		console.log(renderMarkdown(results));
		log(`done in ${results.durationS} s; results in ${outDir}`);
		// A missed target fails the run, so a script or CI can act on it; the results are written either way.
		const missed = results.targets.filter((target) => target.met === false);
		for (const target of missed) console.error(`[bench] target missed: ${target.name}: ${target.measured} (limit ${target.limit})`);
		if (missed.length) process.exitCode = 1;
	} finally {
		await emulator?.close();
		rmSync(work, { recursive: true, force: true });
	}
}

function gitDescribe(): string {
	try {
		const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
		const dirty = execFileSync('git', ['status', '--porcelain', '--', 'nodes'], { cwd: REPO, encoding: 'utf8' }).trim();
		return dirty ? `${commit} + uncommitted changes in nodes/` : commit;
	} catch {
		return 'unknown';
	}
}

if (require.main === module) {
	main().then(
		() => process.exit(),
		(error: unknown) => {
			console.error(error);
			process.exit(1);
		},
	);
}
