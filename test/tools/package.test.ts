import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, it } from 'node:test';

import { pack } from '../e2e/lib/package';

const execute = promisify(execFile);
const REPO = resolve(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'prolific-package-'));
after(() => rmSync(work, { recursive: true, force: true }));

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

it('package.json names only files the package has: no main, every n8n entry built', () => {
	const manifest = json(join(REPO, 'package.json'));
	assert.equal(manifest.main, undefined);
	for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) assert.ok(existsSync(join(REPO, file)), file);
});

it("the npm pack tarball installs as the README says into n8n's Docker layout and its nodes load", async () => {
	// The n8n image's user folder is /home/node; its volume /home/node/.n8n holds nodes/ with n8n's package.json.
	const nodes = join(work, 'n8n-data', 'nodes');
	mkdirSync(nodes, { recursive: true });
	const tarball = basename(pack(nodes));
	writeFileSync(join(nodes, 'package.json'), '{"name":"installed-nodes","private":true}\n');
	const flags = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
	await execute('npm', ['install', '--omit=peer', ...flags, `./${tarball}`], { cwd: nodes });
	// Relative to the folder, so it holds inside the container, where the host's paths do not exist.
	assert.deepEqual(json(join(nodes, 'package.json')).dependencies, { 'n8n-nodes-prolific': `file:${tarball}` });

	const installed = join(nodes, 'node_modules', 'n8n-nodes-prolific');
	const manifest = json(join(installed, 'package.json'));
	assert.ok(existsSync(join(installed, 'CHANGELOG.md')));
	assert.ok(existsSync(join(nodes, 'node_modules', 'csv-parse')), 'its dependency comes along');
	assert.equal(existsSync(join(nodes, 'node_modules', 'n8n-workflow')), false, "n8n's own n8n-workflow is used");

	// n8n puts its own modules (n8n-workflow, luxon) on the resolve path: NODE_PATH stands in for it.
	const load = `for (const f of process.argv.slice(1)) { const m = require(f); for (const C of Object.values(m)) console.log(new C().description?.name ?? new C().name); }`;
	const files = [...manifest.n8n.nodes, ...manifest.n8n.credentials].map((file: string) => join(installed, file));
	const { stdout } = await execute(process.execPath, ['-e', load, ...files], {
		cwd: work,
		env: { ...process.env, NODE_PATH: join(REPO, 'node_modules') },
	});
	assert.deepEqual(stdout.trim().split('\n'), ['prolificBatchExport', 'prolificBatchExportTrigger', 'prolificApi']);
});
