/** Turns the benchmark's raw runs into figures, targets, a Markdown table and an SVG chart. */
import type { CaseResult } from './child';
import type { N8nRun } from './peer';
import type { SyntheticSpec } from './synthetic';

export interface SizeInfo {
	key: string;
	label: string;
	spec: SyntheticSpec;
	batchId: string;
	archivePath: string;
	archiveBytes: number;
	files: number;
	fileBytes: number;
	jsonlBytes: number;
	submissions: number;
}

export interface EngineCase {
	size: string;
	kind: 'idle' | 'floor' | 'node' | 'store';
	output?: string;
	includeFiles?: boolean;
	/** 'baseline': the same case run with the --baseline copy of the node */
	variant?: 'baseline';
	/** one per repetition */
	runs: CaseResult[];
}

export interface PeerCase {
	size: string;
	/** 'ours-records': the node's Submissions without files */
	workflow: 'idle' | 'peer' | 'ours' | 'ours-records';
	runs: N8nRun[];
}

export interface LifecycleCheck {
	behaviour: 'A' | 'B';
	pollsUntilComplete: number;
	pollIntervalMs: number;
	statusPolls: number;
	downloadAfterCompleteMs: number;
	ok: boolean;
	error?: string;
}

export interface RawResults {
	command: string;
	date: string;
	durationS: number;
	machine: Record<string, unknown>;
	commit: string;
	nodeModule: string;
	baselineModule?: string;
	reps: number;
	peerReps: number;
	n8n?: { version: string; node: string };
	sizes: SizeInfo[];
	engine: EngineCase[];
	peer: PeerCase[];
	peerSkipped?: string;
	lifecycle: LifecycleCheck[];
}

/** median, min and max of one figure over repetitions */
export interface Spread {
	median: number;
	min: number;
	max: number;
}

export interface CaseFigures {
	size: string;
	name: string;
	variant?: 'baseline';
	kind: 'floor' | 'node' | 'store';
	output?: string;
	attachesFiles: boolean;
	wallS: Spread;
	cpuS: Spread;
	peakMb: Spread;
	/** peak RSS minus the idle engine's, per repetition */
	addedMb: Spread;
	/** wall time / the floor's, per repetition */
	timeVsFloor?: Spread;
	items?: number;
	binaries?: number;
	statusPolls?: number;
	errors: string[];
}

export interface PeerFigures {
	size: string;
	workflow: 'peer' | 'ours' | 'ours-records';
	workflowS: Spread;
	/** workflow time / the median floor of the same size (the floor has no n8n run of its own) */
	timeVsFloor: Spread;
	cpuS: Spread;
	workflowPeakMb: Spread;
	addedMb: Spread;
	processPeakMb: Spread;
	/** ours / the DIY workflow's, per repetition */
	timeVsPeer?: Spread;
	addedVsPeer?: Spread;
	items?: number;
	errors: string[];
}

export interface Target {
	name: string;
	measured: string;
	limit: string;
	met: boolean | null;
}

export interface BenchResults extends RawResults {
	idleRssMb: Spread;
	n8nIdleRssMb?: Spread;
	cases: CaseFigures[];
	peerFigures: PeerFigures[];
	targets: Target[];
}

const MB = 1e6;
const kbToMb = (kb: number) => (kb * 1024) / MB;

function spread(values: number[]): Spread {
	const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
	if (!v.length) return { median: NaN, min: NaN, max: NaN };
	const mid = Math.floor(v.length / 2);
	const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
	return { median, min: v[0], max: v[v.length - 1] };
}

/** The outputs that Include Files turns on and off (Files always attaches them; the others never). */
const FILE_TOGGLE_OUTPUTS = new Set(['submissions', 'tasks', 'rows']);

export function caseName(c: { kind: string; output?: string; includeFiles?: boolean }): string {
	if (c.kind === 'store') return "reference: n8n's binary store alone (the extracted uploads)";
	if (c.kind !== 'node') return c.kind === 'floor' ? 'floor: unzip + JSON.parse' : c.kind;
	const toggles = FILE_TOGGLE_OUTPUTS.has(c.output ?? '');
	return `node: ${c.output}${toggles ? (c.includeFiles ? ', files on' : ', files off') : ''}`;
}

const PEER_LABELS: Record<PeerFigures['workflow'], string> = {
	peer: 'DIY: HTTP Request -> Compression -> Code',
	ours: 'Prolific Batch Export',
	'ours-records': 'Prolific Batch Export, files off',
};

export function summarise(raw: RawResults): BenchResults {
	// The idle baseline is the median of its repetitions: one idle run's peak varies by ~10 MB.
	const idle = raw.engine.find((e) => e.kind === 'idle');
	const idleKb = idle?.runs.map((r) => r.maxRssKb) ?? [];
	const idleMedianKb = spread(idleKb).median;
	const cases: CaseFigures[] = [];
	for (const size of raw.sizes) {
		const floor = raw.engine.find((e) => e.size === size.key && e.kind === 'floor');
		for (const c of raw.engine.filter((e) => e.size === size.key && e.kind !== 'idle')) {
			const attachesFiles =
				c.kind === 'node' && size.files > 0 && (c.output === 'files' || (FILE_TOGGLE_OUTPUTS.has(c.output ?? '') && !!c.includeFiles));
			cases.push({
				size: size.key,
				name: caseName(c),
				variant: c.variant,
				kind: c.kind as 'floor' | 'node' | 'store',
				output: c.output,
				attachesFiles,
				wallS: spread(c.runs.map((r) => r.wallMs / 1000)),
				cpuS: spread(c.runs.map((r) => r.cpuMs / 1000)),
				peakMb: spread(c.runs.map((r) => kbToMb(r.maxRssKb))),
				addedMb: spread(c.runs.map((r) => kbToMb(r.maxRssKb - idleMedianKb))),
				timeVsFloor: c.kind !== 'floor' && floor ? spread(c.runs.map((r, i) => r.wallMs / (floor.runs[i]?.wallMs ?? NaN))) : undefined,
				items: c.runs[0]?.items ?? c.runs[0]?.records,
				binaries: c.runs[0]?.binaries,
				statusPolls: c.kind === 'node' ? Math.max(...c.runs.map((r) => r.extra?.statusPolls ?? NaN)) : undefined,
				errors: c.runs.filter((r) => r.error || (c.kind !== 'floor' && r.status !== 'success')).map((r) => r.error ?? `status ${r.status}`),
			});
		}
	}

	const n8nIdle = raw.peer.find((p) => p.workflow === 'idle');
	const n8nIdleKb = n8nIdle?.runs.map((r) => r.workflowPeakKb) ?? [];
	const n8nIdleMedianKb = spread(n8nIdleKb).median;
	const peerFigures: PeerFigures[] = [];
	for (const size of raw.sizes) {
		const diy = raw.peer.find((p) => p.size === size.key && p.workflow === 'peer');
		const floorS = spread(raw.engine.find((e) => e.size === size.key && e.kind === 'floor')?.runs.map((r) => r.wallMs / 1000) ?? []).median;
		for (const p of raw.peer.filter((e) => e.size === size.key && e.workflow !== 'idle')) {
			const added = (r: N8nRun) => kbToMb(r.workflowPeakKb - (r.baselinePeakKb ?? n8nIdleMedianKb));
			peerFigures.push({
				size: size.key,
				workflow: p.workflow as PeerFigures['workflow'],
				workflowS: spread(p.runs.map((r) => r.workflowMs / 1000)),
				timeVsFloor: spread(p.runs.map((r) => r.workflowMs / 1000 / floorS)),
				cpuS: spread(p.runs.map((r) => r.cpuMs / 1000)),
				workflowPeakMb: spread(p.runs.map((r) => kbToMb(r.workflowPeakKb))),
				addedMb: spread(p.runs.map(added)),
				processPeakMb: spread(p.runs.map((r) => kbToMb(r.processPeakKb))),
				// A failed DIY run has no time or memory to compare with.
				timeVsPeer:
					p.workflow === 'ours' && diy
						? spread(p.runs.map((r, i) => r.workflowMs / (diy.runs[i]?.ok ? diy.runs[i].workflowMs : NaN)))
						: undefined,
				addedVsPeer:
					p.workflow === 'ours' && diy
						? spread(p.runs.map((r, i) => added(r) / (diy.runs[i]?.ok ? added(diy.runs[i]) : NaN)))
						: undefined,
				items: p.runs[0]?.items,
				errors: p.runs.filter((r) => !r.ok).map((r) => r.error ?? `status ${r.status}`),
			});
		}
	}

	const results: BenchResults = {
		...raw,
		idleRssMb: spread(idleKb.map(kbToMb)),
		n8nIdleRssMb: n8nIdle ? spread(n8nIdleKb.map(kbToMb)) : undefined,
		cases,
		peerFigures,
		targets: [],
	};
	results.targets = targets(results);
	return results;
}

/** The line of a failure that says what failed, on one line (it goes into a table cell). */
const firstLine = (text: string) => (text.split('\n').find((line) => /error/i.test(line)) ?? text.split('\n')[0]).trim().slice(0, 160);
const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const fmtSpread = (s: Spread, digits = 2) =>
	s.min === s.max ? fmt(s.median, digits) : `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;

function targets(r: BenchResults): Target[] {
	const list: Target[] = [];
	const nodeCases = r.cases.filter((c) => c.kind === 'node' && !c.variant);
	for (const [name, files] of [
		['Records without files: time ≤ 1.5x the floor', false],
		['Records with files: time ≤ 1.5x the floor', true],
	] as const) {
		const group = nodeCases.filter((c) => c.attachesFiles === files);
		if (!group.length) continue;
		for (const size of r.sizes) {
			const inSize = group.filter((c) => c.size === size.key);
			if (!inSize.length) continue;
			const worst = inSize.reduce((a, b) => ((b.timeVsFloor?.median ?? 0) > (a.timeVsFloor?.median ?? 0) ? b : a));
			const ratio = worst.timeVsFloor?.median ?? NaN;
			list.push({
				name: `${name} (${size.key}: ${size.label})`,
				measured: `worst ${fmt(ratio)}x (${worst.name.replace('node: ', '')}; reps ${fmt(worst.timeVsFloor?.min ?? NaN)}–${fmt(worst.timeVsFloor?.max ?? NaN)}x)`,
				limit: '1.5x',
				met: Number.isFinite(ratio) ? ratio <= 1.5 : null,
			});
		}
	}
	// Exports of files: time with files within 1.2x the floor, records without within 1.0x.
	for (const size of r.sizes.filter((s) => s.files > 0)) {
		for (const [files, limit] of [
			[true, 1.2],
			[false, 1.0],
		] as const) {
			const group = nodeCases.filter((c) => c.size === size.key && c.attachesFiles === files);
			const worst = group.reduce<CaseFigures | undefined>((a, b) => (!a || (b.timeVsFloor?.median ?? 0) > (a.timeVsFloor?.median ?? 0) ? b : a), undefined);
			if (!worst) continue;
			const ratio = worst.timeVsFloor?.median ?? NaN;
			list.push({
				name: `Records ${files ? 'with' : 'without'} files (${size.key}: ${fmt(size.archiveBytes / MB, 0)} MB archive): time ≤ ${limit.toFixed(1)}x the floor`,
				measured: `worst ${fmt(ratio)}x (${worst.name.replace('node: ', '')}; reps ${fmt(worst.timeVsFloor?.min ?? NaN)}–${fmt(worst.timeVsFloor?.max ?? NaN)}x)`,
				limit: `${limit.toFixed(1)}x`,
				met: Number.isFinite(ratio) ? ratio <= limit : null,
			});
		}
	}
	// Files and Submissions with files, filesystem binary mode: memory flat at any size.
	for (const size of r.sizes.filter((s) => s.files > 0)) {
		const group = nodeCases.filter((c) => c.size === size.key && c.attachesFiles && (c.output === 'files' || c.output === 'submissions'));
		const worst = group.reduce<CaseFigures | undefined>((a, b) => (!a || b.addedMb.median > a.addedMb.median ? b : a), undefined);
		if (!worst) continue;
		list.push({
			name: `Memory the export adds, Files and Submissions with files (${size.key}: ${fmt(size.archiveBytes / MB, 0)} MB archive): ≤ 150 MB`,
			measured: `worst ${fmt(worst.addedMb.median, 0)} MB (${worst.name.replace('node: ', '')}; reps ${fmt(worst.addedMb.min, 0)}–${fmt(worst.addedMb.max, 0)})`,
			limit: '150 MB',
			met: Number.isFinite(worst.addedMb.median) ? worst.addedMb.median <= 150 : null,
		});
	}
	for (const size of r.sizes) {
		const ours = r.peerFigures.find((p) => p.size === size.key && p.workflow === 'ours');
		const diy = r.peerFigures.find((p) => p.size === size.key && p.workflow === 'peer');
		if (!ours) continue;
		const time = ours.timeVsPeer?.median ?? NaN;
		const memory = ours.addedVsPeer?.median ?? NaN;
		const diyFailed = !!diy?.errors.length && !ours.errors.length;
		list.push({
			name: `Faster and leaner than the DIY workflow in n8n (${size.key})`,
			measured: diyFailed
				? `the DIY workflow failed in ${diy.errors.length} runs (${firstLine(diy.errors[0])}); the node exported it every time`
				: `time ${fmt(time)}x, memory added ${fmt(memory)}x the DIY workflow's`,
			limit: '< 1x both',
			met: diyFailed || (Number.isFinite(time) && Number.isFinite(memory) ? time < 1 && memory < 1 : null),
		});
		if (size.files > 0) {
			list.push({
				name: `Memory the export adds in real n8n, Submissions with files (${size.key}: ${fmt(size.archiveBytes / MB, 0)} MB archive): ≤ 150 MB`,
				measured: `${fmt(ours.addedMb.median, 0)} MB (reps ${fmt(ours.addedMb.min, 0)}–${fmt(ours.addedMb.max, 0)})${ours.errors.length ? `; ${ours.errors.length} runs failed` : ''}`,
				limit: '150 MB',
				met: Number.isFinite(ours.addedMb.median) && !ours.errors.length ? ours.addedMb.median <= 150 : null,
			});
		}
	}
	const polls = nodeCases.map((c) => c.statusPolls ?? NaN);
	list.push({
		name: 'No status polls after an immediate `complete`',
		measured: `${Math.max(...polls)} status polls (most in any measured run, ${polls.length} cases x ${r.reps} reps)`,
		limit: '0',
		met: polls.every((p) => p === 0),
	});
	for (const l of r.lifecycle) {
		list.push({
			name: `Download starts within one poll interval of \`complete\` (behaviour ${l.behaviour})`,
			measured: `${fmt(l.downloadAfterCompleteMs, 0)} ms after the poll that found it complete (${l.statusPolls} polls for ${l.pollsUntilComplete} 'generating')`,
			limit: `${l.pollIntervalMs} ms`,
			met: l.ok && l.downloadAfterCompleteMs <= l.pollIntervalMs && l.statusPolls === l.pollsUntilComplete + 1,
		});
	}
	return list;
}

// ---------------------------------------------------------------------------------------------

export function renderMarkdown(r: BenchResults): string {
	const lines: string[] = [];
	lines.push(`# Benchmark results`, '');
	lines.push(
		`\`${r.command}\` on ${r.date.slice(0, 16).replace('T', ' ')} UTC, commit ${r.commit}: ${r.reps} repetitions of every engine case ` +
			`(median, with the range over repetitions in brackets), ${r.peerReps} of every n8n case; ${r.durationS} s in all.`,
	);
	lines.push(
		`Machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memoryGb} GB; engine cases and floor on Node ${r.machine.engineNode ?? r.machine.node}; ` +
			`load average ${(r.machine.loadAverageAtStart as number[]).join(' / ')} at the start, ` +
			`${(r.machine.loadAverageAtEnd as number[]).join(' / ')} at the end (the machine is shared: wall times are noisy, ratios are taken within one repetition).` +
			(r.machine.hostRateMBps ? ` The storage host sent each download at ${String(r.machine.hostRateMBps)} MB/s at most (\`--host-rate\`), as across a network.` : ''),
		'',
	);
	lines.push('## Archives', '');
	lines.push('| Size | Shape | Archive | Files | JSONL (uncompressed) |', '|---|---|---:|---:|---:|');
	for (const s of r.sizes) {
		lines.push(
			`| ${s.key} | ${s.spec.submissions.toLocaleString('en')} submissions x ${s.spec.tasks} tasks${s.spec.filesPerTask ? `, ${s.spec.filesPerTask} file per task` : ''} | ` +
				`${fmt(s.archiveBytes / MB, 1)} MB | ${s.files.toLocaleString('en')} (${fmt(s.fileBytes / MB, 0)} MB) | ${fmt(s.jsonlBytes / MB, 1)} MB |`,
		);
	}
	lines.push('');
	lines.push('## The node in the engine harness vs the floor', '');
	lines.push(
		`Each case in its own process, started once \`sync\` has written out what earlier cases left for the disk: n8n-core's WorkflowExecute with the filesystem binary store, after one unmeasured warm-up export of the sample batch and a full garbage collection. ` +
			`Wall and CPU time cover the workflow run; peak RSS is the process's (VmHWM); "added" is peak RSS minus the idle engine's ` +
			`(${fmtSpread(r.idleRssMb, 0)} MB, median taken: the same process set up the same way, running a trivial node). ` +
			`The floor: Debian's unzip extracting the archive to disk, then JSON.parse of every line of both JSONL files, in one process. ` +
			`The reference row is n8n's own cost for the uploads, which any node pays: the same files, extracted beforehand, stored by a trivial node through n8n's \`prepareBinaryData\` (a data file and a metadata file each, written under temporary names and renamed), eight at a time as Prolific Batch Export stores them. MB = 10^6 bytes.`,
		'',
	);
	lines.push('| Size | Case | Items | Wall (s) | CPU (s) | Peak RSS (MB) | Added (MB) | Time vs floor |', '|---|---|---:|---:|---:|---:|---:|---:|');
	for (const c of r.cases.filter((c) => !c.variant)) {
		lines.push(
			`| ${c.size} | ${c.name}${c.errors.length ? ` **(${c.errors.length} failed: ${c.errors[0].slice(0, 80)})**` : ''} | ${c.items ?? ''}${c.binaries ? ` (${c.binaries} files)` : ''} | ` +
				`${fmtSpread(c.wallS)} | ${fmtSpread(c.cpuS)} | ${fmtSpread(c.peakMb, 0)} | ${c.kind === 'node' ? fmtSpread(c.addedMb, 0) : ''} | ` +
				`${c.timeVsFloor ? `${fmtSpread(c.timeVsFloor)}x` : '1x'} |`,
		);
	}
	lines.push('');
	const baseline = r.cases.filter((c) => c.variant === 'baseline');
	if (baseline.length) {
		lines.push('## Before and after', '');
		lines.push(
			`Every node case run with both copies of the node, interleaved in the same repetitions: before = \`${r.baselineModule}\`, after = \`${r.nodeModule}\`.`,
			'',
		);
		lines.push(
			'| Size | Case | Wall before (s) | Wall after (s) | CPU before (s) | CPU after (s) | Added before (MB) | Added after (MB) | vs floor before | vs floor after |',
			'|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
		);
		for (const b of baseline) {
			const a = r.cases.find((c) => !c.variant && c.size === b.size && c.name === b.name);
			if (!a) continue;
			lines.push(
				`| ${b.size} | ${b.name} | ${fmtSpread(b.wallS)} | ${fmtSpread(a.wallS)} | ${fmtSpread(b.cpuS)} | ${fmtSpread(a.cpuS)} | ` +
					`${fmtSpread(b.addedMb, 0)} | ${fmtSpread(a.addedMb, 0)} | ${fmtSpread(b.timeVsFloor ?? spread([]))}x | ${fmtSpread(a.timeVsFloor ?? spread([]))}x |`,
			);
		}
		lines.push('');
	}
	lines.push('## Against the do-it-yourself workflow in real n8n', '');
	if (r.peerSkipped) {
		lines.push(`Not measured in this run: ${r.peerSkipped}`, '');
	} else {
		lines.push(
			`n8n ${r.n8n?.version} on Node ${r.n8n?.node}, each run a separate \`n8n execute\`. DIY: Manual Trigger -> HTTP Request (file) -> ` +
				`Compression (decompress) -> Code (split the JSONL, attach each submission's files). Node: Manual Trigger -> Prolific Batch Export ` +
				`(Submissions, files on; and files off). "Time vs floor" divides by the floor's median of the same size. Workflow time is n8n's startedAt -> stoppedAt; memory is n8n's and its task runner's RSS summed, ` +
				`at its peak while the workflow ran; "added" subtracts the same for a workflow that only waits about as long, run right after it ` +
				`(n8n grows by itself for a while after it starts: its task runner starts, modules load; a trivial workflow that ends at once peaks at ` +
				`${r.n8nIdleRssMb ? fmtSpread(r.n8nIdleRssMb, 0) : 'n/a'} MB, and is the baseline only where no wait ran). ` +
				`"n8n process peak" is the largest process's peak over the whole command (start-up, and printing the execution, included).`,
			'',
		);
		lines.push(
			'| Size | Workflow | Items | Workflow (s) | Time vs floor | Peak RSS in workflow (MB) | Added (MB) | n8n process peak (MB) | Time vs DIY | Added memory vs DIY |',
			'|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
		);
		for (const p of r.peerFigures) {
			lines.push(
				`| ${p.size} | ${PEER_LABELS[p.workflow]}${p.errors.length ? ` **(${p.errors.length} failed)**` : ''} | ` +
					`${p.items ?? ''} | ${fmtSpread(p.workflowS)} | ${fmtSpread(p.timeVsFloor)}x | ${fmtSpread(p.workflowPeakMb, 0)} | ${fmtSpread(p.addedMb, 0)} | ${fmtSpread(p.processPeakMb, 0)} | ` +
					`${p.timeVsPeer ? `${fmtSpread(p.timeVsPeer)}x` : ''} | ${p.addedVsPeer ? `${fmtSpread(p.addedVsPeer)}x` : ''} |`,
			);
		}
		lines.push('');
	}
	lines.push('## Targets', '');
	lines.push('| Target | Measured | Limit | Met |', '|---|---|---:|:---:|');
	for (const t of r.targets) lines.push(`| ${t.name} | ${t.measured} | ${t.limit} | ${t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'} |`);
	lines.push('');
	return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------

interface Bar {
	label: string;
	value: number;
	color: string;
}

interface Panel {
	title: string;
	unit: string;
	groups: Array<{ label: string; bars: Bar[] }>;
	/** a dashed line, e.g. the 1.5x target */
	marker?: { value: number; label: string };
}

const COLORS = { floor: '#9aa0a6', node: '#1a73e8', nodeFiles: '#0b4fa8', n8n: '#34a853', diy: '#ea4335' };

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A small horizontal bar chart, two panels, plain SVG (no dependencies). */
export function renderChart(r: BenchResults): string {
	const sizeLabel = (key: string) => `${key}: ${r.sizes.find((s) => s.key === key)?.label ?? ''}`;
	const worst = (size: string, files: boolean, by: (c: CaseFigures) => number) =>
		r.cases
			.filter((c) => c.size === size && c.kind === 'node' && !c.variant && c.attachesFiles === files)
			.reduce<CaseFigures | undefined>((a, b) => (!a || by(b) > by(a) ? b : a), undefined);
	const peer = (size: string, w: 'peer' | 'ours') => r.peerFigures.find((p) => p.size === size && p.workflow === w);

	const time: Panel = {
		title: 'Time, as a multiple of the floor (unzip + JSON.parse)',
		unit: 'x',
		marker: { value: 1.5, label: 'target 1.5x' },
		groups: r.sizes.map((s) => {
			const bars: Bar[] = [];
			const records = worst(s.key, false, (c) => c.timeVsFloor?.median ?? 0);
			const files = worst(s.key, true, (c) => c.timeVsFloor?.median ?? 0);
			if (records) bars.push({ label: `node, slowest without files (${records.name.replace('node: ', '')})`, value: records.timeVsFloor?.median ?? NaN, color: COLORS.node });
			if (files) bars.push({ label: `node, slowest with files (${files.name.replace('node: ', '')})`, value: files.timeVsFloor?.median ?? NaN, color: COLORS.nodeFiles });
			const ours = peer(s.key, 'ours');
			const diy = peer(s.key, 'peer');
			if (ours) bars.push({ label: 'node in n8n (Submissions, files on)', value: ours.timeVsFloor.median, color: COLORS.n8n });
			if (diy) bars.push({ label: 'DIY workflow in n8n', value: diy.timeVsFloor.median, color: COLORS.diy });
			return { label: sizeLabel(s.key), bars };
		}),
	};
	const memory: Panel = {
		title: 'Memory the export adds (peak RSS minus idle), MB',
		unit: ' MB',
		groups: r.sizes.map((s) => {
			const bars: Bar[] = [];
			const node = worst(s.key, s.files > 0, (c) => c.addedMb.median);
			if (node) bars.push({ label: `node, most (${node.name.replace('node: ', '')})`, value: node.addedMb.median, color: COLORS.node });
			const ours = peer(s.key, 'ours');
			const diy = peer(s.key, 'peer');
			if (ours) bars.push({ label: 'node in n8n (Submissions, files on)', value: ours.addedMb.median, color: COLORS.n8n });
			if (diy) bars.push({ label: 'DIY workflow in n8n', value: diy.addedMb.median, color: COLORS.diy });
			bars.push({ label: 'archive size', value: s.archiveBytes / MB, color: COLORS.floor });
			return { label: sizeLabel(s.key), bars };
		}),
	};

	const width = 760;
	const labelWidth = 300;
	const barHeight = 14;
	const out: string[] = [];
	let y = 10;
	const panels = [time, memory];
	const body: string[] = [];
	for (const panel of panels) {
		const max = Math.max(panel.marker?.value ?? 0, ...panel.groups.flatMap((g) => g.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)))) * 1.1 || 1;
		const scale = (v: number) => ((width - labelWidth - 70) * v) / max;
		body.push(`<text x="10" y="${y + 14}" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`);
		y += 26;
		const top = y;
		for (const group of panel.groups) {
			body.push(`<text x="10" y="${y + 11}" font-size="12" font-weight="bold">${escapeXml(group.label)}</text>`);
			y += 16;
			for (const bar of group.bars) {
				const w = Number.isFinite(bar.value) ? Math.max(1, scale(bar.value)) : 0;
				body.push(`<text x="20" y="${y + 11}" font-size="11">${escapeXml(bar.label)}</text>`);
				body.push(`<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight - 2}" fill="${bar.color}"/>`);
				body.push(
					`<text x="${(labelWidth + w + 4).toFixed(1)}" y="${y + 11}" font-size="11">${Number.isFinite(bar.value) ? `${bar.value.toFixed(bar.value < 10 ? 2 : 0)}${panel.unit}` : 'n/a'}</text>`,
				);
				y += barHeight;
			}
			y += 6;
		}
		if (panel.marker) {
			const x = labelWidth + scale(panel.marker.value);
			body.push(`<line x1="${x.toFixed(1)}" y1="${top - 4}" x2="${x.toFixed(1)}" y2="${y - 4}" stroke="#333" stroke-dasharray="4 3"/>`);
			body.push(`<text x="${(x + 3).toFixed(1)}" y="${y + 6}" font-size="10">${escapeXml(panel.marker.label)}</text>`);
			y += 8;
		}
		y += 14;
	}
	body.push(
		`<text x="10" y="${y + 4}" font-size="10" fill="#555">${escapeXml(`${r.command}, ${r.date.slice(0, 10)}, commit ${r.commit}; medians of ${r.reps} (engine) / ${r.peerReps} (n8n) repetitions; see test/bench/results/results.md`)}</text>`,
	);
	y += 14;
	out.push(
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif">`,
		`<rect width="100%" height="100%" fill="white"/>`,
		...body,
		'</svg>',
	);
	return `${out.join('\n')}\n`;
}
