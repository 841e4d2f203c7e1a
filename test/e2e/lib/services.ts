import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import type { Host } from './hosts';
import { freePort, killTree } from './n8n';

/**
 * Redis and PostgreSQL for queue mode: Debian's packages (test/e2e/setup.ts installs them), run as
 * this suite's own child processes on 127.0.0.1, on free ports, with their data in a temporary
 * folder; no systemd, nothing left behind.
 */
export interface Service {
	port: number;
	stop(): Promise<void>;
}

export interface Postgres extends Service {
	/** One query over a connection of its own (the `pg` client n8n itself uses, from the n8n host). */
	query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
}

interface PgClient {
	connect(): Promise<void>;
	query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
	end(): Promise<void>;
}

export const REDIS_SERVER = '/usr/bin/redis-server';

/** Debian keeps PostgreSQL's server binaries off the PATH, per major: the newest one installed. */
export function postgresBin(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const majors = readdirSync(root)
		.filter((name) => existsSync(join(root, name, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return majors.length ? join(root, majors[0], 'bin') : undefined;
}

/** Every child still running when the test process exits (a failed `before`, a crash) is killed with it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of running) {
		try {
			if (child.pid) process.kill(-child.pid, 'SIGKILL');
		} catch {
			// gone already
		}
	}
});

function own(child: ChildProcess, name: string, log: string[]): void {
	running.add(child);
	child.once('exit', () => running.delete(child));
	const append = (chunk: Buffer) => log.push(chunk.toString());
	child.stdout?.on('data', append);
	child.stderr?.on('data', append);
	child.once('error', (error) => log.push(`${name}: ${error.message}`));
}

async function waitForPort(port: number, child: ChildProcess, name: string, log: string[], timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const open = await new Promise<boolean>((resolve) => {
			const socket = connect(port, '127.0.0.1');
			socket.once('connect', () => (socket.destroy(), resolve(true)));
			socket.once('error', () => resolve(false));
		});
		if (open) return;
		if (child.exitCode !== null || Date.now() > deadline) {
			throw new Error(`${name} did not listen on 127.0.0.1:${port} (${child.exitCode === null ? 'timed out' : `exit ${child.exitCode}`}):\n${log.join('').slice(-3000)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/** redis-server in the foreground, nothing persisted. */
export async function startRedis(): Promise<Service> {
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'n8n-e2e-redis-'));
	const log: string[] = [];
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'no', '--save', '', '--appendonly', 'no', '--dir', dir];
	const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	own(child, 'redis-server', log);
	const stop = async () => {
		await killTree(child);
		rmSync(dir, { recursive: true, force: true });
	};
	try {
		await waitForPort(port, child, 'redis-server', log);
	} catch (error) {
		await stop();
		throw error;
	}
	return { port, stop };
}

/**
 * A throwaway PostgreSQL cluster (initdb, trust on 127.0.0.1 only, no fsync) as user `postgres`,
 * which PostgreSQL requires when this process is root. Database and user: `postgres`.
 */
export async function startPostgres(host: Host): Promise<Postgres> {
	const bin = postgresBin();
	if (!bin) throw new Error('PostgreSQL is not installed: run `npm run test:e2e:setup` (apt-get install postgresql)');
	const port = await freePort();
	const dir = mkdtempSync(join(tmpdir(), 'n8n-e2e-postgres-'));
	const asRoot = process.getuid?.() === 0;
	const as = (command: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]);
	if (asRoot) {
		const { uid, gid } = userIds('postgres');
		chownSync(dir, uid, gid);
	}
	const data = join(dir, 'data');
	const init = spawnSync(...as(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']), { encoding: 'utf8' });
	if (init.status !== 0) {
		rmSync(dir, { recursive: true, force: true });
		throw new Error(`initdb failed:\n${init.stderr}`);
	}
	const log: string[] = [];
	const settings = ['-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off'];
	const child = spawn(...as(join(bin, 'postgres'), ['-D', data, ...settings]), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	own(child, 'postgres', log);
	const stop = async () => {
		// SIGINT is PostgreSQL's fast shutdown: it does not wait for n8n's pooled connections.
		await killTree(child, 'SIGINT');
		rmSync(dir, { recursive: true, force: true });
	};
	try {
		await waitForPort(port, child, 'postgres', log);
		// The port opens before the cluster accepts connections.
		while (spawnSync(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]).status !== 0) {
			if (child.exitCode !== null) throw new Error(`postgres exited ${child.exitCode}:\n${log.join('').slice(-3000)}`);
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	} catch (error) {
		await stop();
		throw error;
	}
	const { Client } = createRequire(join(host.dir, 'node_modules', 'n8n', 'package.json'))('pg') as { Client: new (config: object) => PgClient };
	const query = async <Row>(sql: string, params?: unknown[]): Promise<Row[]> => {
		const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
		await client.connect();
		try {
			return (await client.query(sql, params)).rows as Row[];
		} finally {
			await client.end();
		}
	};
	return { port, stop, query };
}

function userIds(name: string): { uid: number; gid: number } {
	const result = spawnSync('id', ['-u', name], { encoding: 'utf8' });
	const group = spawnSync('id', ['-g', name], { encoding: 'utf8' });
	if (result.status !== 0 || group.status !== 0) throw new Error(`no user '${name}': Debian's postgresql package creates it`);
	return { uid: Number(result.stdout), gid: Number(group.stdout) };
}
