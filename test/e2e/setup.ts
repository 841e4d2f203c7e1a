/**
 * Installs what the e2e suite needs, idempotently:
 * - each n8n host (test/e2e/hosts/n8n-<major>, pinned by its lockfile) into the cache folder
 *   ${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-prolific/hosts/, reused while the lockfile is unchanged;
 * - Debian's chromium for the editor check, and redis-server and postgresql for the queue-mode
 *   suite (n8n 2.x only): apt-get, when they are missing and we are root.
 *
 * node --import tsx test/e2e/setup.ts [--no-chromium]      E2E_N8N_MAJORS=2,1 (default) picks hosts
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { cacheRoot, ensureHost, majors } from './lib/hosts';
import { postgresBin, REDIS_SERVER } from './lib/services';

export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';

/** Installs Debian's `packages` unless `present` says they are there. */
function ensureDebian(what: string, present: boolean, packages: string[]): void {
	if (present) return void console.log(`${what}: installed`);
	if (process.getuid?.() !== 0) {
		throw new Error(`${what} is missing: install Debian's ${packages.join(' ')} (sudo apt-get install -y ${packages.join(' ')})`);
	}
	console.log(`${what}: apt-get install -y ${packages.join(' ')}`);
	for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...packages]]) {
		const result = spawnSync('apt-get', ['-q', ...args], {
			stdio: ['ignore', 'inherit', 'inherit'],
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
		});
		if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed`);
	}
}

async function main(): Promise<void> {
	const started = Date.now();
	if (!process.argv.includes('--no-chromium')) ensureDebian(`chromium (${CHROMIUM})`, existsSync(CHROMIUM), ['chromium']);
	if (majors().includes(2)) {
		const present = existsSync(REDIS_SERVER) && postgresBin() !== undefined;
		ensureDebian('redis-server and postgresql (queue mode)', present, ['redis-server', 'postgresql']);
	}
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
