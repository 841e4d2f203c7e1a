/**
 * Installs what the e2e suite needs, idempotently:
 * - each n8n host (test/e2e/hosts/n8n-<major>, pinned by its lockfile) into the cache folder
 *   ${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-prolific/hosts/, reused while the lockfile is unchanged;
 * - Debian's chromium for the editor check (apt-get, when it is missing and we are root).
 *
 * node --import tsx test/e2e/setup.ts [--no-chromium]      E2E_N8N_MAJORS=2,1 (default) picks hosts
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { cacheRoot, ensureHost, majors } from './lib/hosts';

export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';

function ensureChromium(): void {
	if (existsSync(CHROMIUM)) return void console.log(`chromium: ${CHROMIUM}`);
	if (process.getuid?.() !== 0) {
		throw new Error(`${CHROMIUM} is missing: install Debian's chromium (sudo apt-get install -y chromium)`);
	}
	console.log('chromium: apt-get install -y chromium');
	for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
		const result = spawnSync('apt-get', ['-q', ...args], {
			stdio: ['ignore', 'inherit', 'inherit'],
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
		});
		if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed`);
	}
}

async function main(): Promise<void> {
	const started = Date.now();
	if (!process.argv.includes('--no-chromium')) ensureChromium();
	console.log(`n8n hosts: cache ${cacheRoot()}`);
	// One after the other: each install is heavy for a 2-core machine.
	for (const major of majors()) await ensureHost(major);
	console.log(`e2e setup done in ${Math.round((Date.now() - started) / 1000)} s`);
}

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	});
}
