/**
 * `npm start`: the Prolific emulator and REAL n8n (the e2e suite's cached install) with this
 * package loaded, a "Prolific (emulator)" credential, a "try" workflow and the examples imported,
 * and the owner account set up. Prints the editor's URL and login, and runs until Ctrl-C.
 *
 * npm start -- [--n8n 2|1] [--port 5678] [--emulator-port 8787] [--fresh]
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { cacheRoot, ensureHost, type Major } from './lib/hosts';
import { freePort, loggedError } from './lib/n8n';
import { packageTarball } from './lib/package';
import { N8N_OWNER, startSandbox, type Sandbox } from './lib/sandbox';

const USAGE = `Usage: npm start -- [--n8n 2|1] [--port 5678] [--emulator-port 8787] [--fresh]

Starts real n8n (2.x on Node 24 by default, or the last 1.x on this machine's Node) with this
package installed from its npm pack tarball, the Prolific emulator, a "Prolific (emulator)"
credential and example workflows, and prints the editor's URL. The first run installs n8n (about
3 GB; 10-15 minutes on 2 cores with empty npm caches, showing progress); later runs start in
about a minute. Your n8n data is kept in ${join(cacheRoot(), 'try')} between runs; --fresh
starts from scratch. n8n's own (JSON) log goes to n8n.log in that folder.`;

const { values } = parseArgs({
	options: {
		n8n: { type: 'string', default: '2' },
		port: { type: 'string', default: '5678' },
		'emulator-port': { type: 'string', default: '8787' },
		fresh: { type: 'boolean', default: false },
		help: { type: 'boolean', short: 'h', default: false },
	},
});

/** The preferred port when it is free, else any free one. */
async function portOr(preferred: number): Promise<number> {
	const free = await new Promise<boolean>((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen(preferred, '127.0.0.1', () => server.close(() => resolve(true)));
	});
	return free ? preferred : await freePort();
}

const progress = (line: string) => console.log(`• ${line}`);
let logFile: string | undefined;

async function main(): Promise<void> {
	if (values.help) return void console.log(USAGE);
	const major = Number(values.n8n) as Major;
	if (major !== 1 && major !== 2) throw new Error('--n8n must be 2 or 1');
	const host = await ensureHost(major, progress);
	const userFolder = join(cacheRoot(), 'try', `n8n-${major}`);
	logFile = join(userFolder, 'n8n.log');
	if (values.fresh) rmSync(userFolder, { recursive: true, force: true });
	const emulatorPort = await portOr(Number(values['emulator-port']));
	let sandbox: Sandbox | undefined = undefined;
	let stopping = false;
	const stop = async (code: number) => {
		if (stopping) return;
		stopping = true;
		console.log('\nStopping n8n and the emulator…');
		await sandbox?.stop();
		process.exit(code);
	};
	process.once('SIGINT', () => void stop(0));
	process.once('SIGTERM', () => void stop(0));
	sandbox = await startSandbox({
		host,
		tarball: packageTarball(),
		userFolder,
		port: await portOr(Number(values.port)),
		emulatorPort,
		emulatorDownloadPort: await portOr(emulatorPort + 1),
		log: progress,
		logFile,
		onError: (message) => console.error(`n8n error: ${message}`),
	});
	const { n8n, emulator, url } = sandbox;
	console.log(`
n8n ${host.n8nVersion} (Node ${host.nodeVersion}) is running with n8n-nodes-prolific loaded.

  Editor:   ${url}
  Log in:   ${N8N_OWNER.email} / ${N8N_OWNER.password}

  Open the "Try Prolific Batch Export (emulator)" workflow (the link above) and press
  "Execute workflow", or add "Prolific Batch Export" to a workflow of your own: the
  "Prolific (emulator)" credential talks to the emulator at ${emulator.apiUrl}
  (token ${emulator.token}). The examples are imported too (Workflows page).

  Data folder: ${n8n.userFolder}
  n8n's log:   ${logFile} (errors show here too)
  Press Ctrl-C to stop.`);
	// n8n stopping on its own ends the session too.
	const watch = setInterval(() => {
		if (!n8n.running && !stopping) {
			clearInterval(watch);
			const errors = n8n.log.split('\n').map(loggedError).filter(Boolean).slice(-5);
			console.error(`n8n exited${errors.length ? `: ${errors.join('; ')}` : ''}. Its log: ${logFile}`);
			void stop(1);
		}
	}, 1000);
}

main().catch((error: unknown) => {
	// The first line says what failed; n8n's own output behind it is in the log file.
	const [what] = (error instanceof Error ? error.message : String(error)).split('\n');
	console.error(`${what}${logFile ? `\nn8n's log: ${logFile}` : ''}`);
	process.exit(1);
});
