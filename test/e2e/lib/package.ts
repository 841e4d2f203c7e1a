import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { REPO_ROOT } from './hosts';

let packed: string | undefined;

/**
 * The package as users get it: `npm pack` of the built dist/. E2E_TARBALL (set by test/e2e/setup.ts
 * after `npm run build`) is used when present; otherwise this process packs the current dist/ once.
 */
export function packageTarball(): string {
	const given = process.env.E2E_TARBALL;
	if (given && existsSync(given)) return given;
	if (packed) return packed;
	if (!existsSync(join(REPO_ROOT, 'dist', 'nodes', 'ProlificBatchExport', 'ProlificBatchExport.node.js'))) {
		throw new Error('dist/ is missing: run `npm run build` first (npm run test:e2e does)');
	}
	const dir = mkdtempSync(join(tmpdir(), 'n8n-nodes-prolific-pack-'));
	process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
	packed = pack(dir);
	return packed;
}

export function pack(destination: string): string {
	const result = spawnSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: REPO_ROOT, encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`npm pack failed:\n${result.stderr}`);
	const [{ filename }] = JSON.parse(result.stdout) as Array<{ filename: string }>;
	return join(destination, filename);
}
