/**
 * npm run bench:queue [-- --mb 250] [--reps 2] [--pools 2,4,8] [--outputs submissions,files] [--out DIR]
 *
 * One large synthetic export (test/bench/synthetic.ts, uploads incompressible, ~--mb MB) through
 * n8n 2.x queue mode (main + 2 workers, Redis, PostgreSQL, `database` binary data: test/e2e/lib's
 * cluster) against the same export in regular mode (one `n8n start`, `filesystem` binary data),
 * both enqueued by a Webhook trigger and run one at a time, interleaved, --reps times. Then the
 * same export with DB_POSTGRESDB_POOL_SIZE at each of --pools, a cluster of main + 1 worker per
 * size, side by side, interleaved: alone and two at once on that worker, --reps times.
 *
 * Time: the webhook's round trip (request -> last node's items back) and n8n's startedAt ->
 * stoppedAt. Memory: RSS of the process that ran it (the worker, or regular n8n) plus its task
 * runner, sampled every 50 ms from /proc; "added" subtracts the same tree's RSS just before, and
 * VmHWM is the process's own peak: the runners are restarted before each comparison run.
 * The machine is shared, so compare within a rep (the ratio columns). Writes queue.md to
 * test/bench/results/ (or --out), after every phase, so a partial run still leaves figures.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';

import { ProlificEmulator } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { host } from '../e2e/lib/hosts';
import { N8nInstance, type Workflow } from '../e2e/lib/n8n';
import { packageTarball } from '../e2e/lib/package';
import { startQueueCluster, type QueueCluster } from '../e2e/lib/queue';
import { credentials, webhookExportsWorkflow } from '../e2e/lib/workflows';
import { completeExport } from './bench';
import { sampleTree } from './rss';
import { syntheticBatch, writeSyntheticArchive } from './synthetic';

const REPO = resolve(__dirname, '..', '..');
const WORKFLOW = 'benchQueue';
const log = (line: string) => console.log(`[bench:queue] ${new Date().toISOString().slice(11, 19)} ${line}`);

/** GET without the 300 s header timeout of fetch: a large export answers only when it has run. */
function getJson(url: string): Promise<{ status: number; body: string }> {
	return new Promise((done, fail) => {
		get(url, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => done({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
			response.on('error', fail);
		}).on('error', fail);
	});
}

interface Execution {
	id: string;
	status: string;
	startedAt?: string;
	stoppedAt?: string;
}

/** The workflow's newest executions, from main's REST API (PostgreSQL or SQLite behind it). */
async function newest(rest: N8nInstance, limit: number): Promise<Execution[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId: WORKFLOW }));
	const { data } = await rest.rest<{ results?: Execution[] }>('GET', `/rest/executions?filter=${filter}&limit=${limit}`);
	return data?.results ?? [];
}

/** Where an export runs: the URL its webhook is on, the processes that may run it, main's REST API. */
interface Target {
	label: string;
	baseUrl: string;
	runners: N8nInstance[];
	rest: N8nInstance;
	/** index in `runners` of the one that ran an execution */
	ranOn(executionId: string): number;
	/** new runner processes, so a run's peak is its own (memory a process once took stays with it) */
	restart(): Promise<void>;
}

interface Run {
	target: string;
	output: string;
	rep: number;
	ok: boolean;
	items: number;
	/** webhook round trip */
	wallMs: number;
	/** n8n's startedAt -> stoppedAt */
	executionMs: number;
	/** tree RSS of the process that ran it (+ task runner): peak during the run, and just before */
	peakKb: number;
	idleKb: number;
	/** the n8n process's own peak RSS over its life (VmHWM; it was started fresh for the comparison runs) */
	hwmKb: number;
	ranOn: number;
	error?: string;
}

/** Runs `batches.length` exports at once on a target (one webhook call each), sampling every runner's memory. */
async function measure(target: Target, output: string, batches: string[], rep: number): Promise<Run[]> {
	const before = Number((await newest(target.rest, 1))[0]?.id ?? 0);
	const samplers = target.runners.map((runner) => sampleTree(runner.pid ?? 0, 50));
	const started = Date.now();
	const answers = await Promise.all(
		batches.map(async (batch) => {
			try {
				const { status, body } = await getJson(`${target.baseUrl}/webhook/prolific-${output}?batch=${batch}`);
				const wallMs = Date.now() - started;
				if (status !== 200) return { wallMs, items: 0, error: `HTTP ${status}: ${body.slice(0, 300)}` };
				return { wallMs, items: (JSON.parse(body) as unknown[]).length };
			} catch (error) {
				return { wallMs: Date.now() - started, items: 0, error: (error as Error).message };
			}
		}),
	);
	const trees = samplers.map((sampler) => sampler.stop());
	// The executions this call made: the newest ones, after the one before it.
	let executions: Execution[] = [];
	for (let i = 0; i < 100; i++) {
		executions = (await newest(target.rest, batches.length)).filter((e) => Number(e.id) > before);
		if (executions.length === batches.length && executions.every((e) => e.stoppedAt && !['new', 'running'].includes(e.status))) break;
		await new Promise((r) => setTimeout(r, 100));
	}
	executions.sort((a, b) => Number(a.id) - Number(b.id));
	return answers.map((answer, i) => {
		const execution = executions[i];
		const ranOn = execution ? target.ranOn(execution.id) : -1;
		const tree = trees[Math.max(ranOn, 0)];
		const pid = target.runners[Math.max(ranOn, 0)].pid;
		return {
			target: target.label,
			output,
			rep,
			ok: !answer.error && execution?.status === 'success',
			items: answer.items,
			wallMs: answer.wallMs,
			executionMs: execution?.startedAt && execution.stoppedAt ? Date.parse(execution.stoppedAt) - Date.parse(execution.startedAt) : NaN,
			peakKb: tree.peakKb(),
			idleKb: tree.samples[0]?.[1] ?? NaN,
			hwmKb: pid ? vmHwmKb(pid) : NaN,
			ranOn,
			error: answer.error ?? (execution ? (execution.status === 'success' ? undefined : `execution ${execution.id}: ${execution.status}`) : 'no execution found'),
		};
	});
}

function vmHwmKb(pid: number): number {
	return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

async function regularN8n(tarball: string, apiUrl: string, token: string, workflow: Workflow): Promise<N8nInstance> {
	// Regular mode, SQLite, `filesystem` binary data: N8nInstance's defaults.
	const n8n = await N8nInstance.create(host(2));
	try {
		await n8n.installPackage(tarball);
		await n8n.importCredentials(credentials(apiUrl, token));
		await n8n.importWorkflows([workflow]);
		await n8n.activate(WORKFLOW);
		await n8n.startServer();
		await n8n.setupOwner();
		return n8n;
	} catch (error) {
		await n8n.dispose();
		throw error;
	}
}

function queueTarget(label: string, cluster: QueueCluster): Target {
	return {
		label,
		baseUrl: cluster.main.baseUrl,
		runners: cluster.workers,
		rest: cluster.main,
		ranOn: (id) => cluster.executionsByWorker().findIndex((ids) => ids.includes(id)),
		restart: async () => {
			for (const worker of cluster.workers) await worker.stopServer();
			await Promise.all(cluster.workers.map(async (worker) => await worker.startServer(120_000, 'worker')));
		},
	};
}

const mb = (kb: number) => (kb / 1024).toFixed(0);
const s = (ms: number) => (ms / 1000).toFixed(1);
/** two exports at once are done when the slower one is */
const pairWall = (pair: Run[]) => Math.max(...pair.map((r) => r.wallMs));
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
/** "median (min–max)" of ratios, over reps */
function spread(ratios: number[]): string {
	const sorted = ratios.filter((r) => Number.isFinite(r)).sort((a, b) => a - b);
	if (!sorted.length) return '-';
	const mid = sorted.length / 2;
	const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
	return `${median.toFixed(2)}x (${sorted[0].toFixed(2)}–${sorted.at(-1)!.toFixed(2)})`;
}

interface Report {
	command: string;
	started: string;
	loadStart: string;
	archive: string;
	n8n: string;
	comparison: Run[];
	pools: Array<{ pool: number; rep: number; alone: Run; pair: Run[] }>;
	notes: string[];
}

function render(report: Report, reps: number, outputs: string[]): string {
	const lines = [
		'# Queue mode against regular mode: one large export',
		'',
		`\`${report.command}\` on ${report.started.slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ` +
			`${Math.round(totalmem() / 2 ** 30)} GB; ${report.n8n}. Load (uptime) at start: ${report.loadStart}; at the end: ${uptime()}.`,
		'The machine is shared with other benchmarks and test runs: compare within a rep (the ratio columns), not across runs.',
		'',
		`Export: ${report.archive}, served by the emulator on 127.0.0.1 (an export that is complete at once: no status polls).`,
		'',
		'- **queue**: main + 2 `n8n worker` (concurrency 10), Redis, PostgreSQL 15, binary data `database` (the queue-mode default), `DB_POSTGRESDB_POOL_SIZE` 2 (the default);',
		'- **regular**: one `n8n start`, SQLite, binary data `filesystem`;',
		'- both: Webhook (GET) -> Prolific Batch Export, Include Files on, the webhook answering with the items once the export has run. One export at a time; the two modes alternate (rep 1 regular first, rep 2 queue first). ' +
			'Before each measured run the processes that run exports (regular n8n; both workers) are restarted and warmed up with two small exports (the sample batch), so each peak is that run\'s own.',
		'',
		'Time: "wall" is the webhook round trip (request to the last node\'s items back, queueing included), "execution" is n8n\'s startedAt -> stoppedAt. ' +
			'Memory: RSS of the process that ran the export (the worker, or regular n8n) plus its task runner, sampled every 50 ms; "added" subtracts the same just before the run; VmHWM is the n8n process\'s own peak (from /proc) since its restart.',
		'',
		'| output | rep | mode | items | wall s | execution s | peak RSS MB | added MB | VmHWM MB | queue/regular wall | queue/regular peak | queue/regular added |',
		'|---|---|---|---|---|---|---|---|---|---|---|---|',
	];
	for (const output of outputs) {
		for (let rep = 0; rep < reps; rep++) {
			const regular = report.comparison.find((r) => r.output === output && r.rep === rep && r.target === 'regular');
			const queue = report.comparison.find((r) => r.output === output && r.rep === rep && r.target === 'queue');
			for (const run of [regular, queue]) {
				if (!run) continue;
				const both = regular?.ok && queue?.ok && run === queue;
				lines.push(
					`| ${output} | ${rep + 1} | ${run.target}${run.ranOn >= 0 && run.target === 'queue' ? ` (worker ${run.ranOn + 1})` : ''} | ` +
						`${run.ok ? run.items : `failed: ${run.error}`} | ${s(run.wallMs)} | ${s(run.executionMs)} | ${mb(run.peakKb)} | ${mb(run.peakKb - run.idleKb)} | ${mb(run.hwmKb)} | ` +
						(both
							? `${ratio(queue.wallMs, regular.wallMs)} | ${ratio(queue.peakKb, regular.peakKb)} | ${ratio(queue.peakKb - queue.idleKb, regular.peakKb - regular.idleKb)} |`
							: ' | | |'),
				);
			}
		}
	}
	lines.push('', '| output | queue/regular wall | queue/regular execution | queue/regular peak RSS | queue/regular added | queue/regular VmHWM |', '|---|---|---|---|---|---|');
	for (const output of outputs) {
		const pairs = [...Array(reps).keys()]
			.map((rep) => ['regular', 'queue'].map((t) => report.comparison.find((r) => r.output === output && r.rep === rep && r.target === t)))
			.filter((pair): pair is [Run, Run] => pair.every((r) => r?.ok));
		const of = (measure: (r: Run) => number) => spread(pairs.map(([regular, queue]) => measure(queue) / measure(regular)));
		lines.push(
			`| ${output} (median of ${pairs.length} reps, min–max) | ${of((r) => r.wallMs)} | ${of((r) => r.executionMs)} | ${of((r) => r.peakKb)} | ` +
				`${of((r) => r.peakKb - r.idleKb)} | ${of((r) => r.hwmKb)} |`,
		);
	}
	if (report.pools.length) {
		lines.push(
			'',
			'## DB_POSTGRESDB_POOL_SIZE',
			'',
			'Queue mode, one cluster per pool size (main + 1 worker, concurrency 10, the pool size set on every process), all three up side by side and measured in turn, the order rotating per rep. ' +
				'Submissions with files: the export alone, then two copies of it (two batches) enqueued at once, both on that worker. Time only (the workers are not restarted here).',
			'',
			'| rep | pool size | alone: wall s | alone: execution s | two at once: wall s (slower one) | two at once: execution s | alone vs pool 2 | two at once vs pool 2 |',
			'|---|---|---|---|---|---|---|---|',
		);
		for (const { pool, rep, alone, pair } of report.pools) {
			const base = report.pools.find((p) => p.pool === 2 && p.rep === rep);
			const pairOk = pair.length > 0 && pair.every((r) => r.ok);
			lines.push(
				`| ${rep + 1} | ${pool} | ${alone.ok ? s(alone.wallMs) : `failed: ${alone.error}`} | ${s(alone.executionMs)} | ` +
					`${pairOk ? s(pairWall(pair)) : `failed: ${pair.map((r) => r.error).filter(Boolean).join('; ')}`} | ${pair.map((r) => s(r.executionMs)).join(', ')} | ` +
					`${base ? ratio(alone.wallMs, base.alone.wallMs) : ''} | ${pairOk && base ? ratio(pairWall(pair), pairWall(base.pair)) : ''} |`,
			);
		}
	}
	if (report.pools.length) {
		lines.push('', '| pool size | alone vs pool 2 | two at once vs pool 2 |', '|---|---|---|');
		for (const pool of [...new Set(report.pools.map((p) => p.pool))]) {
			const runs = report.pools.filter((p) => p.pool === pool);
			const base = (rep: number) => report.pools.find((p) => p.pool === 2 && p.rep === rep);
			const alone = spread(runs.map((p) => p.alone.wallMs / (base(p.rep)?.alone.wallMs ?? NaN)));
			const pair = spread(runs.map((p) => pairWall(p.pair) / (base(p.rep) ? pairWall(base(p.rep)!.pair) : NaN)));
			lines.push(`| ${pool} (median of ${runs.length} reps, min–max) | ${alone} | ${pair} |`);
		}
	}
	if (report.notes.length) lines.push('', ...report.notes.map((note) => `- ${note}`));
	return `${lines.join('\n')}\n`;
}

const uptime = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}`;

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			mb: { type: 'string', default: '250' },
			reps: { type: 'string', default: '2' },
			pools: { type: 'string', default: '2,4,8' },
			outputs: { type: 'string', default: 'submissions,files' },
			out: { type: 'string' },
		},
	});
	const reps = Number(values.reps);
	const pools = values.pools ? values.pools.split(',').map(Number) : [];
	const outputs = values.outputs.split(',');
	const outDir = resolve(values.out ?? join(__dirname, 'results'));
	const n8nHost = host(2);
	// ~250 KB per upload, two per submission: 2 submissions per MB.
	const submissions = Math.round(Number(values.mb) * 2);
	const spec = { label: `${submissions} submissions x 2 tasks, 1 file per task`, seed: 'bench-queue', submissions, tasks: 2, filesPerTask: 1, fileBytes: [50_000, 450_000] as [number, number] };
	const report: Report = {
		command: `npm run bench:queue${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
		started: new Date().toISOString(),
		loadStart: uptime(),
		archive: '',
		n8n: `n8n ${n8nHost.n8nVersion} on Node ${n8nHost.nodeVersion}`,
		comparison: [],
		pools: [],
		notes: [],
	};
	const save = () => {
		mkdirSync(outDir, { recursive: true });
		writeFileSync(join(outDir, 'queue.md'), render(report, reps, outputs));
	};

	const work = mkdtempSync(join(tmpdir(), 'prolific-bench-queue-'));
	const owned: Array<() => Promise<void>> = [];
	const stopAll = async () => {
		for (const stop of owned.splice(0).reverse()) await stop().catch((error: unknown) => log(`stopping: ${(error as Error).message}`));
		rmSync(work, { recursive: true, force: true });
	};
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => void stopAll().then(() => process.exit(130)));
	}
	try {
		const synthetic = syntheticBatch(spec);
		const written = await writeSyntheticArchive(synthetic, join(work, 'export.zip'));
		report.archive = `${spec.label}: ${(written.bytes / 1e6).toFixed(0)} MB archive, ${written.files} uploads (${(written.fileBytes / 1e6).toFixed(0)} MB)`;
		log(report.archive);
		const archive = readFileSync(written.path);
		const emulator = await ProlificEmulator.start({ behaviour: 'A', pollsUntilComplete: 0 });
		owned.push(async () => await emulator.close());
		// The export, a copy of it under a second batch ID (two at once), and two copies of the sample batch for warm-ups.
		const batchId = synthetic.batch.batch_id;
		const copyId = randomUUID();
		const warmIds = [randomUUID(), randomUUID()];
		emulator.addBatch(synthetic.batch, archive);
		emulator.addBatch({ ...synthetic.batch, batch_id: copyId }, archive);
		for (const id of warmIds) emulator.addBatch({ ...sampleBatch, batch_id: id });
		const ready = async () => {
			for (const id of [batchId, copyId, ...warmIds]) await completeExport(emulator, id);
		};
		await ready();

		execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
		const tarball = packageTarball();
		const workflow = webhookExportsWorkflow(WORKFLOW, outputs, { includeFiles: true, options: { pollInterval: 1, timeout: 1800 } });
		const creds = credentials(emulator.apiUrl, emulator.token);
		const cluster = async (pool: number, workers: number) => {
			const started = await startQueueCluster({
				host: n8nHost,
				tarball,
				workers,
				env: { DB_POSTGRESDB_POOL_SIZE: String(pool) },
				credentials: creds,
				workflows: [workflow],
				activate: [WORKFLOW],
				log,
			});
			owned.push(async () => await started.stop());
			return started;
		};
		const warmUp = async (target: Target) => {
			for (const output of outputs) await measure(target, output, warmIds, -1);
			await ready();
		};

		// 1. Queue (pool 2) against regular, interleaved.
		const regular = await regularN8n(tarball, emulator.apiUrl, emulator.token, workflow);
		owned.push(async () => await regular.dispose());
		log(`regular n8n on ${regular.port}`);
		const queue = await cluster(2, 2);
		const restartRegular = async () => {
			await regular.stopServer();
			await regular.startServer();
			await regular.setupOwner();
		};
		const targets: Target[] = [
			{ label: 'regular', baseUrl: regular.baseUrl, runners: [regular], rest: regular, ranOn: () => 0, restart: restartRegular },
			queueTarget('queue', queue),
		];
		for (let rep = 0; rep < reps; rep++) {
			for (const output of outputs) {
				for (const target of rep % 2 ? [...targets].reverse() : targets) {
					await target.restart();
					await warmUp(target);
					const [run] = await measure(target, output, [batchId], rep);
					await ready();
					report.comparison.push(run);
					log(`rep ${rep + 1} ${output} ${target.label}: ${run.ok ? `${run.items} items` : run.error}, ${s(run.wallMs)} s, peak ${mb(run.peakKb)} MB (idle ${mb(run.idleKb)}, VmHWM ${mb(run.hwmKb)}); ${uptime()}`);
					save();
				}
			}
		}
		const bad = queue.filesOnDisk();
		if (bad.length) report.notes.push(`queue mode wrote ${bad.length} files to a process's own disk (expected none)`);
		// Both clusters' memory and CPU stop counting against the pool-size runs.
		for (const stop of owned.splice(1).reverse()) await stop();

		// 2. DB_POSTGRESDB_POOL_SIZE: a cluster per size (one worker each), side by side, interleaved.
		const poolTargets: Target[] = [];
		for (const pool of pools) {
			poolTargets.push(queueTarget(`pool ${pool}`, await cluster(pool, 1)));
			await warmUp(poolTargets.at(-1)!);
		}
		for (let rep = 0; rep < reps; rep++) {
			const shift = rep % pools.length;
			for (const i of [...pools.keys()].map((k) => (k + shift) % pools.length)) {
				const [alone] = await measure(poolTargets[i], 'submissions', [batchId], rep);
				await ready();
				const pair = await measure(poolTargets[i], 'submissions', [batchId, copyId], rep);
				await ready();
				report.pools.push({ pool: pools[i], rep, alone, pair });
				report.pools.sort((a, b) => a.rep - b.rep || a.pool - b.pool);
				log(`rep ${rep + 1} pool ${pools[i]}: alone ${s(alone.wallMs)} s, two at once ${pair.map((r) => s(r.wallMs)).join(' / ')} s; ${uptime()}`);
				save();
			}
		}
		save();
		log(`done: ${join(outDir, 'queue.md')}`);
	} finally {
		await stopAll();
	}
}

main().then(
	() => process.exit(),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
