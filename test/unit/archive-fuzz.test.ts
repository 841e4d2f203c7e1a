import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import type { IBinaryData, INodeExecutionData } from 'n8n-workflow';

import { ArchiveError } from '../../nodes/ProlificBatchExport/archive/errors';
import { parseJsonl } from '../../nodes/ProlificBatchExport/archive/jsonl';
import { ExportArchive, type ArchiveLimits } from '../../nodes/ProlificBatchExport/archive/reader';
import { buildOutput } from '../../nodes/ProlificBatchExport/output';
import { ExportContents } from '../../nodes/ProlificBatchExport/output/contents';
import type { OutputContext, OutputMode, OutputSettings } from '../../nodes/ProlificBatchExport/output/types';
import type { ExportTarget } from '../../nodes/ProlificBatchExport/types';
import { buildRawZip, type RawZipEntry } from '../emulator';
import { BATCH_ID } from '../fixtures/sample-expected';
import { collectionMutationBases, DEFAULT_LIMITS, mutatedArchive, mutationBases } from '../support/archive-mutations';

/**
 * Mutated export archives through the archive reader and every output built on it: byte flips,
 * truncation, renamed, dropped and duplicated entries, lying sizes, broken and ill-typed JSON.
 * Seeded and reproducible: FUZZ_SEED and FUZZ_CASES pick another run, and a failure names the
 * seed and case to replay. The node may refuse an archive only with its own ArchiveError;
 * anything else thrown is a bug.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 0x7e57_2026);
const CASES = Number(process.env.FUZZ_CASES ?? 5_000);
const CASE_BUDGET_MS = 2_000;
const TOTAL_BUDGET_MS = 60_000;
const RSS_GROWTH_LIMIT_MB = 256;

const MiB = 1024 * 1024;
const MODES: OutputMode[] = ['submissions', 'tasks', 'rows', 'files', 'summary', 'archive'];

/** Output settings as the node reads them by default. */
function outputSettings(output: Partial<OutputSettings>): OutputSettings {
	return {
		mode: 'submissions',
		includeFiles: true,
		binaryPrefix: 'file_',
		responseKeys: 'ids',
		binaryProperty: 'data',
		fileNameTemplate: '{submission_id}_{original_name}',
		attachReport: false,
		...output,
	};
}

/** The pipeline's steps after the download: open the archive within limits, build the output. */
async function outputOf(zip: Buffer, target: ExportTarget, limits: ArchiveLimits, settings: OutputSettings): Promise<INodeExecutionData[]> {
	const contents = new ExportContents(await ExportArchive.open(zip, limits), target);
	return await buildOutput({ ctx: context, contents, download: { size: zip.length, statusChecks: 0 }, settings, itemIndex: 0 });
}

interface Case {
	index: number;
	resource: 'batch' | 'collection';
	zip: Buffer;
	limits: ArchiveLimits;
	mode: OutputMode;
	mutations: string[];
}

/** One case in four is a collection's archive. */
function makeCase(index: number, bases: Bases): Case {
	const resource = index % 4 === 3 ? 'collection' : 'batch';
	return { index, resource, mode: MODES.at(index % MODES.length)!, ...mutatedArchive(SEED, index, bases[resource]) };
}

type Bases = Record<'batch' | 'collection', RawZipEntry[][]>;

/** n8n's side of output shaping: binaries are described, not stored. */
const context: OutputContext = {
	getTimezone: () => 'UTC',
	helpers: {
		// Read to the end, as n8n's store does: an entry's checks fail its stream.
		prepareBinaryData: async (data: Buffer | Readable, fileName?: string, mimeType?: string) => {
			let size = 0;
			for await (const chunk of Buffer.isBuffer(data) ? [data] : data) size += (chunk as Buffer).length;
			return { data: '', fileName, mimeType: mimeType ?? 'application/octet-stream', fileSize: String(size) } as IBinaryData;
		},
	},
	addExecutionHints: () => undefined,
};

/** Everything the node does with an archive: open it, read each entry, then build one output. */
async function exercise(fuzz: Case): Promise<string> {
	const outcomes: string[] = [];
	const attempt = async (step: () => Promise<unknown>) => {
		try {
			await step();
			outcomes.push('ok');
		} catch (error) {
			if (!(error instanceof ArchiveError)) throw error;
			// Grouped by kind: the message up to its details, numbers as N.
			outcomes.push(error.message.replace(/[('].*$/s, '').replace(/\d+(\.\d+)?/g, 'N').trim());
		}
	};
	let archive: ExportArchive | undefined;
	await attempt(async () => {
		archive = await ExportArchive.open(fuzz.zip, fuzz.limits);
	});
	if (archive) {
		const opened = archive;
		for (const name of opened.fileNames.slice(0, 50)) await attempt(async () => await opened.readBytes(name));
		await attempt(async () => await opened.readBatch());
		await attempt(async () => await opened.readJsonl('responses-by-submission.jsonl'));
		await attempt(async () => await opened.readJsonl('responses-by-task.jsonl'));
		await attempt(async () => await opened.readText('README.md'));
	}
	let items: INodeExecutionData[] = [];
	await attempt(async () => {
		const settings = outputSettings({
			mode: fuzz.mode,
			includeFiles: fuzz.index % 2 === 0,
			responseKeys: fuzz.index % 4 < 2 ? 'ids' : 'descriptions',
		});
		items = await outputOf(fuzz.zip, { resource: fuzz.resource, id: BATCH_ID }, fuzz.limits, settings);
	});
	// Whatever came out must be plain data n8n can store.
	JSON.stringify(items.map((item) => item.json));
	return outcomes.at(-1) ?? 'ok';
}

let bases: Bases;
before(async () => {
	bases = { batch: await mutationBases(), collection: await collectionMutationBases() };
});

describe('archive fuzzing', () => {
	const stats = { cases: 0, maxCaseMs: 0, slowest: -1, totalMs: 0, rssStartMb: 0, rssPeakMb: 0 };
	const costs = new Map<string, number>();
	const outcomes = new Map<string, number>();
	const byMutation = new Map<string, number>();

	after(() => {
		const top = [...outcomes].sort((a, b) => b[1] - a[1]);
		console.log(
			[
				'',
				`Archive fuzzing: ${stats.cases} cases, seed ${SEED} (FUZZ_SEED=${SEED} FUZZ_CASES=${CASES} to replay)`,
				`  total ${(stats.totalMs / 1000).toFixed(1)} s, slowest case ${stats.maxCaseMs.toFixed(0)} ms (#${stats.slowest}), ` +
					`RSS ${stats.rssStartMb.toFixed(0)} MB at start, peak ${stats.rssPeakMb.toFixed(0)} MB (+${(stats.rssPeakMb - stats.rssStartMb).toFixed(0)} MB)`,
				`  mutations applied: ${[...byMutation].map(([name, n]) => `${name} ${n}`).join(', ')}`,
				`  ms per case with: ${[...costs].map(([name, ms]) => `${name} ${(ms / byMutation.get(name)!).toFixed(1)}`).join(', ')}`,
				'  outcomes of the output step:',
				...top.map(([outcome, n]) => `    ${String(n).padStart(5)}  ${outcome}`),
				'',
			].join('\n'),
		);
	});

	it(`reads ${CASES} mutated archives, throwing only ArchiveError, each within ${CASE_BUDGET_MS} ms, memory bounded`, async () => {
		const mb = () => process.memoryUsage().rss / MiB;
		// Warm up the reader and the output code so the baseline is not the first case's cost.
		await exercise(makeCase(-1, bases));
		stats.rssStartMb = stats.rssPeakMb = mb();
		const started = performance.now();
		for (let index = 0; index < CASES; index++) {
			const fuzz = makeCase(index, bases);
			const caseStarted = performance.now();
			let outcome: string;
			try {
				outcome = await exercise(fuzz);
			} catch (error) {
				assert.fail(
					`case ${index} (seed ${SEED}; ${fuzz.mutations.join(', ')}) threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.stack ?? String(error)}`,
				);
			}
			const ms = performance.now() - caseStarted;
			assert.ok(ms < CASE_BUDGET_MS, `case ${index} (seed ${SEED}; ${fuzz.mutations.join(', ')}) took ${ms.toFixed(0)} ms`);
			if (ms > stats.maxCaseMs) Object.assign(stats, { maxCaseMs: ms, slowest: index });
			outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
			for (const name of fuzz.mutations) {
				byMutation.set(name, (byMutation.get(name) ?? 0) + 1);
				costs.set(name, (costs.get(name) ?? 0) + ms);
			}
			stats.rssPeakMb = Math.max(stats.rssPeakMb, mb());
			stats.cases++;
		}
		stats.totalMs = performance.now() - started;
		assert.ok(stats.totalMs < TOTAL_BUDGET_MS, `took ${(stats.totalMs / 1000).toFixed(1)} s`);
		assert.ok(
			stats.rssPeakMb - stats.rssStartMb < RSS_GROWTH_LIMIT_MB,
			`RSS grew by ${(stats.rssPeakMb - stats.rssStartMb).toFixed(0)} MB`,
		);
		assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
		// The mutations must reach every outcome that matters, or the fuzzing proves little.
		assert.ok(outcomes.get('ok')! > CASES / 20, 'some archives still read cleanly');
		assert.ok(outcomes.size >= 8, `only ${outcomes.size} distinct outcomes`);
	});
});

describe('found by fuzzing', () => {
	const DEEP = 'The export archive is malformed: line 2 of responses-by-submission.jsonl is not valid JSON (nested more than 100 levels deep)';
	/** A record whose one field nests `levels` levels deep, the record itself being level 1. */
	const nested = (levels: number) => `{"a":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;

	it('refuses a record nested deeper than 100 levels, naming file and line', () => {
		assert.equal(parseJsonl(`${nested(100)}\n`, 'responses-by-submission.jsonl').length, 1);
		assert.throws(
			() => parseJsonl(`{}\n${nested(101)}\n`, 'responses-by-submission.jsonl'),
			(error) => error instanceof ArchiveError && error.message === DEEP,
		);
	});

	it('so the Rows output no longer overflows the stack on a deeply nested value', async () => {
		// 20,000 levels: JSON.parse takes it, the Rows cell's JSON.stringify (and n8n storing the
		// item) did not, and failed with a bare RangeError.
		const value = '['.repeat(20_000) + ']'.repeat(20_000);
		const line = `{"submission_id":"s2","responses":{"t":{"i":{"type":"rank_order","description":"R","value":${value}}}}}`;
		const zip = buildRawZip([
			{ name: 'responses-by-submission.jsonl', data: Buffer.from(`{"submission_id":"s1","responses":{}}\n${line}\n`) },
		]);
		await assert.rejects(
			outputOf(zip, { resource: 'batch', id: BATCH_ID }, DEFAULT_LIMITS, outputSettings({ mode: 'rows' })),
			(error) => error instanceof ArchiveError && error.message === DEEP,
		);
	});
});
