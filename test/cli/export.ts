import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { runNode } from '../harness';
import { ProlificEmulator } from '../emulator';
import { sampleBatch, sampleBatches, sampleWorkspaces } from '../fixtures/sample-batch';
import { batchExportNode } from '../support/node';
import { OUTPUT_MODES } from '../../nodes/ProlificBatchExport/output/modes';

const OUTPUTS = Object.keys(OUTPUT_MODES);
const PROLIFIC_API = 'https://api.prolific.com';

const USAGE = `Usage: npm run export -- [batch-id] [--output ${OUTPUTS.join('|')}] [--no-files] [--out DIR]

Runs the Prolific Batch Export node in the n8n engine and writes its items (items.json) and
attached files (files/) into DIR (default ./output), replacing an earlier run's.
With PROLIFIC_TOKEN set it exports from Prolific (PROLIFIC_BASE_URL to override the API URL);
otherwise from the built-in emulator's sample batch.`;

/** A mistake in how the CLI was called: one line, then how to get help, exit status 2. */
class UsageError extends Error {}

interface Options {
	batchId?: string;
	output: string;
	includeFiles: boolean;
	out: string;
	help: boolean;
}

function parse(args: string[]): Options {
	let parsed;
	try {
		parsed = parseArgs({
			args,
			allowPositionals: true,
			options: {
				output: { type: 'string', default: 'submissions' },
				'no-files': { type: 'boolean', default: false },
				out: { type: 'string', default: 'output' },
				help: { type: 'boolean', short: 'h', default: false },
			},
		});
	} catch (error) {
		// Node's own text goes on about positional arguments: its first sentence is the point.
		throw new UsageError((error as Error).message.split('. ')[0]);
	}
	const { values, positionals } = parsed;
	if (positionals.length > 1) throw new UsageError(`One batch ID at most, not ${positionals.length}: ${positionals.join(' ')}`);
	if (!OUTPUTS.includes(values.output)) {
		throw new UsageError(`'${values.output}' is not an output: choose one of ${OUTPUTS.join(', ')}`);
	}
	return { batchId: positionals[0], output: values.output, includeFiles: !values['no-files'], out: resolve(values.out), help: values.help };
}

/**
 * Checks the destination before anything is exported (against Prolific an export costs a job)
 * and makes the temporary folder beside it that the run writes into.
 */
function prepareDestination(out: string): string {
	if (kind(out) === 'file') throw new UsageError(`--out ${out} is a file: give a folder (it is created if missing)`);
	if (kind(join(out, 'items.json')) === 'folder') throw new UsageError(`${join(out, 'items.json')} is a folder: move it away or choose another --out`);
	if (kind(join(out, 'files')) === 'file') throw new UsageError(`${join(out, 'files')} is a file: move it away or choose another --out`);
	try {
		mkdirSync(out, { recursive: true });
		return mkdtempSync(join(dirname(out), `.${basename(out)}.export-`));
	} catch (error) {
		throw new UsageError(`Cannot write to ${out}: ${(error as Error).message}`);
	}
}

/** Moves a finished run into place: files/ first, then items.json, which replaces the old one at once. */
function moveIntoPlace(temp: string, out: string): void {
	removeEarlierRun(out);
	if (kind(join(temp, 'files'))) renameSync(join(temp, 'files'), join(out, 'files'));
	renameSync(join(temp, 'items.json'), join(out, 'items.json'));
	rmSync(temp, { recursive: true, force: true });
}

function kind(path: string): 'file' | 'folder' | undefined {
	try {
		return statSync(path).isDirectory() ? 'folder' : 'file';
	} catch {
		return undefined;
	}
}

/** An earlier run's output would pass for this run's: a failed run leaves none. */
function removeEarlierRun(out: string): void {
	rmSync(join(out, 'files'), { recursive: true, force: true });
	rmSync(join(out, 'items.json'), { force: true });
}

async function main(): Promise<number> {
	const options = parse(process.argv.slice(2));
	if (options.help) return (console.log(USAGE), 0);
	const token = process.env.PROLIFIC_TOKEN;
	const batchId = options.batchId ?? (token ? undefined : sampleBatch.batch_id);
	if (!batchId) throw new UsageError('A batch ID is needed with PROLIFIC_TOKEN: npm run export -- <batch-id>');
	const { out } = options;
	const temp = prepareDestination(out);
	const emulator = token ? undefined : await startSampleEmulator();
	const baseUrl = emulator?.apiUrl ?? process.env.PROLIFIC_BASE_URL ?? PROLIFIC_API;
	const source = emulator ? 'the emulator' : baseUrl.replace(/\/+$/, '') === PROLIFIC_API ? 'Prolific' : baseUrl;
	const started = Date.now();
	let written = false;
	try {
		const run = await runNode({
			nodeType: batchExportNode,
			parameters: {
				batch: { __rl: true, mode: 'id', value: batchId },
				output: options.output,
				includeFiles: options.includeFiles,
				options: emulator ? { pollInterval: 0.2 } : {},
			},
			credentials: { prolificApi: { apiToken: emulator?.token ?? token, baseUrl } },
		});
		if (run.error) {
			const { message, description } = run.error;
			console.error(`Export from ${source} failed: ${sentence(message)}${description ? ` ${sentence(description)}` : ''}`);
			return 1;
		}
		const files = writeOutput(temp, run.items);
		moveIntoPlace(temp, out);
		written = true;
		const seconds = ((Date.now() - started) / 1000).toFixed(2);
		const { submissions, tasks } = count(run.items.map((item) => item.json));
		console.log(
			`Exported batch ${batchId} from ${source} as ${options.output}: ${plural(run.items.length, 'item')}, ` +
				`${plural(submissions, 'submission')}, ${plural(tasks, 'task')}, ${plural(files, 'file')} in ${seconds} s -> ${out}`,
		);
		return 0;
	} finally {
		if (!written) removeEarlierRun(out);
		rmSync(temp, { recursive: true, force: true });
		await emulator?.close();
	}
}

const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

async function startSampleEmulator(): Promise<ProlificEmulator> {
	const emulator = await ProlificEmulator.start();
	sampleWorkspaces.forEach((workspace) => emulator.addWorkspace(workspace));
	sampleBatches.forEach((batch) => emulator.addBatch(batch));
	return emulator;
}

type Items = Awaited<ReturnType<typeof runNode>>['items'];

/** items.json, plus every binary as files/<item>/<property>-<file name>. Returns the file count. */
function writeOutput(out: string, items: Items): number {
	let files = 0;
	const described = items.map((item, index) => {
		const binary = Object.entries(item.binary).map(([property, data]) => {
			const path = join('files', String(index), `${property}-${data.fileName ?? 'file'}`);
			mkdirSync(join(out, 'files', String(index)), { recursive: true });
			writeFileSync(join(out, path), data.bytes);
			files++;
			return [property, { fileName: data.fileName, mimeType: data.mimeType, bytes: data.bytes.length, savedAs: path }];
		});
		return { json: item.json, binary: Object.fromEntries(binary) };
	});
	writeFileSync(join(out, 'items.json'), `${JSON.stringify(described, null, 2)}\n`);
	return files;
}

/** Distinct submissions and tasks across the items, whatever the output mode. */
function count(records: Array<Record<string, unknown>>): { submissions: number; tasks: number } {
	const [summary] = records;
	if (records.length === 1 && typeof summary.submissions === 'number') {
		return { submissions: summary.submissions, tasks: Number(summary.tasks) };
	}
	const submissions = new Set<unknown>();
	const tasks = new Set<unknown>();
	for (const { submission_id, task_id, responses } of records) {
		if (submission_id) submissions.add(submission_id);
		if (task_id) tasks.add(task_id);
		if (Array.isArray(responses)) responses.forEach((response) => submissions.add(response?.submission_id));
		else if (typeof responses === 'object' && responses) Object.keys(responses).forEach((task) => tasks.add(task));
	}
	return { submissions: submissions.size, tasks: tasks.size };
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		if (error instanceof UsageError) {
			console.error(`${error.message}\nRun \`npm run export -- --help\` for the options.`);
			process.exit(2);
		}
		console.error(`Export failed: ${error instanceof Error ? error.message : String(error)}`);
		process.exit(1);
	},
);
