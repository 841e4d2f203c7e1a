import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { it } from 'node:test';

import { sampleBatch } from '../fixtures/sample-batch';
import { SUBMISSION_FILES } from '../fixtures/sample-expected';

const run = promisify(execFile);

it('npm run export: writes items.json and the files, prints a summary', async () => {
	const out = mkdtempSync(join(tmpdir(), 'prolific-export-'));
	const env = { ...process.env, PROLIFIC_TOKEN: '' };
	const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/cli/export.ts', '--out', out], { env });
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
});
