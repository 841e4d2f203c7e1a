/**
 * A cheap smoke test of the benchmark (npm run bench itself is not part of npm test): the
 * streamed synthetic archive matches what the emulator's builder makes of the same batch, one
 * floor and one node case run in child processes as the bench runs them, and the report renders.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import JSZip from 'jszip';

import { buildArchive, ProlificEmulator } from '../emulator';
import { completeExport, runChild } from '../bench/bench';
import { renderChart, renderMarkdown, summarise, type RawResults } from '../bench/report';
import { materialise, syntheticBatch, writeSyntheticArchive, type SyntheticSpec } from '../bench/synthetic';

const SPEC: SyntheticSpec = { label: 'tiny', seed: 'bench-test', submissions: 12, tasks: 3, filesPerTask: 2, fileBytes: [100, 3000] };
const NODE_MODULE = join(__dirname, '..', '..', 'nodes', 'ProlificBatchExport', 'ProlificBatchExport.node.ts');

describe('benchmark', () => {
	const dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
	after(() => rmSync(dir, { recursive: true, force: true }));
	const synthetic = syntheticBatch(SPEC);
	const archive = join(dir, 'tiny.zip');

	it('streams the same archive the emulator builds for the same batch, reproducibly', async () => {
		const written = await writeSyntheticArchive(synthetic, archive);
		assert.equal(written.files, 12 * 3 * 2);
		const streamed = await JSZip.loadAsync(readFileSync(archive));
		const built = await JSZip.loadAsync(await buildArchive(materialise(synthetic)));
		assert.deepEqual(Object.keys(streamed.files), Object.keys(built.files));
		for (const name of Object.keys(built.files)) {
			const [a, b] = await Promise.all([streamed.file(name)!.async('nodebuffer'), built.file(name)!.async('nodebuffer')]);
			assert.ok(a.equals(b), `${name} differs`);
		}
		const again = await writeSyntheticArchive(syntheticBatch(SPEC), join(dir, 'again.zip'));
		assert.ok(readFileSync(again.path).equals(readFileSync(archive)), 'same seed, same bytes');
	});

	it('measures the floor and the node in child processes', async () => {
		const floor = await runChild({ kind: 'floor', archive });
		assert.equal(floor.error, undefined);
		assert.equal(floor.records, 12 + 3);
		assert.ok(floor.wallMs > 0 && floor.maxRssKb > 0);

		const emulator = await ProlificEmulator.start({ pollsUntilComplete: 0 });
		try {
			emulator.addBatch(synthetic.batch, readFileSync(archive));
			await completeExport(emulator, synthetic.batch.batch_id);
			const node = await runChild({
				kind: 'node',
				nodeModule: NODE_MODULE,
				apiUrl: emulator.apiUrl,
				token: emulator.token,
				batchId: synthetic.batch.batch_id,
				output: 'submissions',
				includeFiles: true,
				pollInterval: 1,
			});
			assert.equal(node.error, undefined);
			assert.equal(node.status, 'success');
			assert.equal(node.items, 12);
			assert.equal(node.binaries, 12 * 3 * 2);
		} finally {
			await emulator.close();
		}
	});

	it('summarises runs into targets, a Markdown table and an SVG chart', () => {
		const run = (wallMs: number, maxRssKb: number) => ({ wallMs, cpuMs: wallMs, maxRssKb, status: 'success', extra: { statusPolls: 0 } });
		const n8nRun = (workflowMs: number, workflowPeakKb: number) => ({ ok: true, workflowMs, commandMs: workflowMs + 9000, cpuMs: workflowMs, workflowPeakKb, processPeakKb: workflowPeakKb, baselinePeakKb: 300_000 });
		const raw: RawResults = {
			command: 'npm run bench',
			date: '2026-03-20T09:00:00.000Z',
			durationS: 1,
			machine: { cpus: 2, cpuModel: 'test', memoryGb: 1, node: 'v20', loadAverageAtStart: [1, 1, 1], loadAverageAtEnd: [1, 1, 1] },
			commit: 'abc1234',
			nodeModule: 'nodes/x',
			reps: 2,
			sizes: [
				{ key: 'large', label: 'files', spec: SPEC, batchId: 'b', archivePath: 'x', archiveBytes: 500e6, files: 2000, fileBytes: 499e6, jsonlBytes: 1e6, submissions: 1000 },
			],
			engine: [
				{ size: '-', kind: 'idle', runs: [run(10, 150_000), run(10, 150_000)] },
				{ size: 'large', kind: 'floor', runs: [run(2000, 100_000), run(3000, 100_000)] },
				{ size: 'large', kind: 'node', output: 'files', includeFiles: true, runs: [run(2800, 700_000), run(4800, 710_000)] },
				{ size: 'large', kind: 'node', output: 'submissions', includeFiles: false, runs: [run(1000, 650_000), run(1000, 650_000)] },
			],
			peerReps: 1,
			peer: [
				{ size: '-', workflow: 'idle', runs: [n8nRun(1000, 300_000)] },
				{ size: 'large', workflow: 'peer', runs: [n8nRun(10_000, 1_400_000)] },
				{ size: 'large', workflow: 'ours', runs: [n8nRun(5000, 400_000)] },
				{ size: 'large', workflow: 'ours-records', runs: [n8nRun(500, 350_000)] },
			],
			lifecycle: [{ behaviour: 'A', pollsUntilComplete: 2, pollIntervalMs: 1000, statusPolls: 3, downloadAfterCompleteMs: 5, ok: true }],
		};
		const results = summarise(raw);
		const files = results.cases.find((c) => c.name === 'node: files')!;
		assert.deepEqual(files.timeVsFloor, { median: 1.5, min: 1.4, max: 1.6 });
		assert.equal(Math.round(files.addedMb.median), Math.round(((705_000 - 150_000) * 1024) / 1e6));
		const byName = Object.fromEntries(results.targets.map((t) => [t.name.replace(/ \(.*$/, ''), t.met]));
		assert.equal(byName['Records with files: time ≤ 1.5x the floor'], true);
		assert.equal(byName['Records without files: time ≤ 1.5x the floor'], true);
		assert.equal(byName['No status polls after an immediate `complete`'], true);
		assert.match(renderMarkdown(results), /\| large \| node: files \| /);
		// In real n8n: each workflow's time against the floor's median (2.5 s), and the DIY ratios for the node with files.
		const ours = results.peerFigures.find((p) => p.workflow === 'ours')!;
		assert.equal(ours.timeVsFloor.median, 2);
		assert.equal(ours.timeVsPeer?.median, 0.5);
		assert.equal(results.peerFigures.find((p) => p.workflow === 'ours-records')!.timeVsFloor.median, 0.2);
		const row = renderMarkdown(results).split('\n').find((line) => line.startsWith('| large | Prolific Batch Export, files off |'));
		assert.equal(row?.split('|').length, 12, row);
		assert.match(row ?? '', /\| 0\.50 \| 0\.20x \|/);
		const svg = renderChart(results);
		assert.match(svg, /^<svg [^>]+>[\s\S]*<\/svg>\n$/);
		assert.doesNotMatch(svg, /NaN|undefined/);
	});
});
