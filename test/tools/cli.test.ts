import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';

import type { ProlificEmulator } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { SUBMISSION_FILES } from '../fixtures/sample-expected';
import { startEmulator } from '../support/setup';

const execute = promisify(execFile);

interface CliRun {
	code: number;
	stdout: string;
	stderr: string;
}

/** `npm run export -- …args`, as a user runs it; PROLIFIC_TOKEN unset unless `env` sets it. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
	const options = { env: { ...process.env, PROLIFIC_TOKEN: '', PROLIFIC_BASE_URL: '', ...env } };
	try {
		const { stdout, stderr } = await execute(process.execPath, ['--import', 'tsx', 'test/cli/export.ts', ...args], options);
		return { code: 0, stdout, stderr };
	} catch (error) {
		const { code, stdout, stderr } = error as CliRun;
		return { code, stdout, stderr };
	}
}

const folder = () => mkdtempSync(join(tmpdir(), 'prolific-export-'));

let emulator: ProlificEmulator;
before(async () => {
	emulator = await startEmulator();
});
after(async () => await emulator.close());

/** The CLI against this test's emulator, as if it were a Prolific API at another URL. */
const viaBaseUrl = (token = emulator.token) => ({ PROLIFIC_TOKEN: token, PROLIFIC_BASE_URL: emulator.apiUrl });

it('npm run export: writes items.json and the files, prints a summary', async () => {
	const out = folder();
	const { code, stdout } = await cli(['--out', out]);
	assert.equal(code, 0);
	assert.match(
		stdout,
		new RegExp(`^Exported batch ${sampleBatch.batch_id} from the emulator as submissions: 5 items, 5 submissions, 4 tasks, 25 files in [\\d.]+ s -> ${out}\\n$`),
	);
	const items = JSON.parse(readFileSync(join(out, 'items.json'), 'utf8')) as Array<{
		json: { submission_id: string };
		binary: Record<string, { savedAs: string; fileName: string }>;
	}>;
	assert.equal(items.length, 5);
	const [, , name, path] = SUBMISSION_FILES[2][1];
	const saved = items[2].binary.file_1;
	assert.equal(saved.fileName, name);
	assert.ok(readFileSync(join(out, saved.savedAs)).equals(sampleBatch.files[path]));
	assert.equal(readdirSync(join(out, 'files')).length, 5);
	// Written beside the destination and moved into place: no temporary folder left behind.
	assert.deepEqual(readdirSync(join(out, '..')).filter((name) => name.includes('.export-')), []);
});

it('says where it exported from by the URL it called, and "1 item"', async () => {
	const out = folder();
	const { code, stdout } = await cli([sampleBatch.batch_id, '--output', 'summary', '--out', out], viaBaseUrl());
	assert.equal(code, 0);
	assert.match(stdout, new RegExp(`^Exported batch ${sampleBatch.batch_id} from ${emulator.apiUrl} as summary: 1 item, 5 submissions, 4 tasks, 0 files in`));
});

it('--help lists every output', async () => {
	const { code, stdout } = await cli(['--help']);
	assert.equal(code, 0);
	assert.match(stdout, /\[--output archive\|files\|report\|rows\|submissions\|summary\|tasks\]/);
});

describe('refuses a wrong call in one line, before exporting anything', () => {
	const file = join(folder(), 'items.txt');
	writeFileSync(file, 'not a folder');
	const folderNamedItems = folder();
	mkdirSync(join(folderNamedItems, 'items.json'));
	const cases: Array<[string, string[], string]> = [
		['an unknown flag', ['--outt', 'x'], "Unknown option '--outt'"],
		['an unknown output', ['--output', 'nonsense'], "'nonsense' is not an output: choose one of archive, files, report, rows, submissions, summary, tasks"],
		['--out pointing at a file', ['--out', file], `--out ${file} is a file: give a folder (it is created if missing)`],
		['an items.json that cannot be written', ['--out', folderNamedItems], `${join(folderNamedItems, 'items.json')} is a folder: move it away or choose another --out`],
	];
	for (const [what, args, message] of cases) {
		it(what, async () => {
			const before = emulator.requests.length;
			const { code, stdout, stderr } = await cli([sampleBatch.batch_id, ...args], viaBaseUrl());
			assert.equal(code, 2);
			assert.equal(stdout, '');
			assert.equal(stderr, `${message}\nRun \`npm run export -- --help\` for the options.\n`);
			assert.equal(emulator.requests.length, before, 'no request reached the API');
		});
	}
	it('and leaves the folder as it was', () => {
		assert.deepEqual(readdirSync(folderNamedItems), ['items.json']);
		assert.deepEqual(readdirSync(join(folderNamedItems, 'items.json')), []);
	});
});

it('a failed run leaves no earlier items.json or files that could pass for its own', async () => {
	const out = folder();
	assert.equal((await cli(['--out', out])).code, 0);
	const { code, stdout, stderr } = await cli([sampleBatch.batch_id, '--out', out], viaBaseUrl('wrong-token'));
	assert.equal(code, 1);
	assert.equal(stdout, '');
	assert.match(stderr, new RegExp(`^Export from ${emulator.apiUrl} failed: [^\\n]*token[^\\n]*\\n$`));
	assert.equal(existsSync(join(out, 'items.json')), false);
	assert.equal(existsSync(join(out, 'files')), false);
});
