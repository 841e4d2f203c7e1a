import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { runNode } from '../harness';
import { ProlificEmulator } from '../emulator';
import { sampleBatch, sampleBatches, sampleWorkspaces } from '../fixtures/sample-batch';
import { batchExportNode } from '../support/node';

const USAGE = `Usage: npm run export -- [batch-id] [--output submissions|tasks|rows|archive] [--no-files] [--out DIR]

Runs the Prolific Batch Export node in the n8n engine and writes its items (items.json) and
attached files (files/) into DIR (default ./output).
With PROLIFIC_TOKEN set it exports from Prolific (PROLIFIC_BASE_URL to override the API URL);
otherwise from the built-in emulator's sample batch.`;

const { values, positionals } = parseArgs({
	allowPositionals: true,
	options: {
		output: { type: 'string', default: 'submissions' },
		'no-files': { type: 'boolean', default: false },
		out: { type: 'string', default: 'output' },
		help: { type: 'boolean', short: 'h', default: false },
	},
});

async function main(): Promise<number> {
	if (values.help) return (console.log(USAGE), 0);
	const token = process.env.PROLIFIC_TOKEN;
	const emulator = token ? undefined : await startSampleEmulator();
	const batchId = positionals[0] ?? (token ? undefined : sampleBatch.batch_id);
	if (!batchId) return (console.error(`A batch ID is needed with PROLIFIC_TOKEN.\n\n${USAGE}`), 2);
	const source = emulator ? 'the emulator' : 'Prolific';
	const started = Date.now();
	try {
		const run = await runNode({
			nodeType: batchExportNode,
			parameters: {
				batch: { __rl: true, mode: 'id', value: batchId },
				output: values.output ?? 'submissions',
				includeFiles: !values['no-files'],
				options: emulator ? { pollInterval: 0.2 } : {},
			},
			credentials: {
				prolificApi: emulator
					? { apiToken: emulator.token, baseUrl: emulator.apiUrl }
					: { apiToken: token, baseUrl: process.env.PROLIFIC_BASE_URL ?? 'https://api.prolific.com' },
			},
		});
		if (run.error) {
			console.error(`Export failed: ${run.error.message}\n${run.error.description ?? ''}`);
			return 1;
		}
		const out = resolve(values.out ?? 'output');
		const files = writeOutput(out, run.items);
		const seconds = ((Date.now() - started) / 1000).toFixed(2);
		const { submissions, tasks } = count(run.items.map((item) => item.json));
		console.log(
			`Exported batch ${batchId} from ${source} as ${values.output}: ${run.items.length} items, ` +
				`${submissions} submissions, ${tasks} tasks, ${files} files in ${seconds} s -> ${out}`,
		);
		return 0;
	} finally {
		await emulator?.close();
	}
}

async function startSampleEmulator(): Promise<ProlificEmulator> {
	const emulator = await ProlificEmulator.start();
	sampleWorkspaces.forEach((workspace) => emulator.addWorkspace(workspace));
	sampleBatches.forEach((batch) => emulator.addBatch(batch));
	return emulator;
}

type Items = Awaited<ReturnType<typeof runNode>>['items'];

/** items.json, plus every binary as files/<item>/<property>-<file name>. Returns the file count. */
function writeOutput(out: string, items: Items): number {
	rmSync(join(out, 'files'), { recursive: true, force: true });
	mkdirSync(out, { recursive: true });
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
		console.error(error);
		process.exit(1);
	},
);
