import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import type { Host } from './hosts';

/** A credential as `n8n import:credentials` takes it: plain `data` is encrypted with the instance's key. */
export interface CredentialFile {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export type Workflow = Record<string, unknown> & { id: string; name: string; nodes: WorkflowNode[] };

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	onError?: string;
	[k: string]: unknown;
}

export interface BinaryMeta {
	id?: string;
	data?: string;
	fileName?: string;
	mimeType?: string;
	fileExtension?: string;
	fileSize?: string;
	bytes?: number;
}

export interface Item {
	json: Record<string, unknown>;
	binary?: Record<string, BinaryMeta>;
	pairedItem?: unknown;
}

export interface RunData {
	data: {
		resultData: {
			runData: Record<string, Array<{ data?: { main: Item[][] }; hints?: unknown[]; error?: Record<string, unknown> }>>;
			error?: { message?: string; description?: string; node?: { name?: string } };
			lastNodeExecuted?: string;
		};
	};
	status?: string;
	finished?: boolean;
}

export interface ExecuteResult {
	exitCode: number | null;
	/** the execution as n8n printed it (--rawOutput), when it printed one */
	run?: RunData;
	stdout: string;
	stderr: string;
	/** the log lines' messages, in order */
	messages: string[];
	seconds: number;
}

export type InstanceEnv = Record<string, string | undefined>;

export const N8N_OWNER = { email: 'owner@prolific-e2e.test', password: 'Prolific-e2e-2026', firstName: 'Ada', lastName: 'Tester' };

/** Environment that keeps n8n quiet and on this machine: no telemetry, banners, templates or version checks. */
export const OFFLINE_ENV: Record<string, string> = {
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
	N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_DYNAMIC_BANNERS_ENABLED: 'false',
	N8N_HIRING_BANNER_ENABLED: 'false',
	N8N_PERSONALIZATION_ENABLED: 'false',
	N8N_AI_ENABLED: 'false',
	N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
	EXTERNAL_FRONTEND_HOOKS_URLS: '',
	// Community packages load from <user folder>/.n8n/nodes; nothing is fetched from n8n's servers.
	N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
	N8N_VERIFIED_PACKAGES_ENABLED: 'false',
};

export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/**
 * One real n8n instance: its own user folder (database, binary files, installed community
 * packages), run on the host's Node, on ports of its own. CLI commands run as child processes;
 * `startServer` runs the editor and REST API.
 */
export class N8nInstance {
	readonly userFolder: string;
	private server?: ChildProcess;
	private serverLog = '';
	/** `n8n start`'s raw output goes here too when set (npm start), rewritten on each start. */
	logFile?: string;
	/** Called with each error n8n logs while it runs, in plain words. */
	onError?: (message: string) => void;
	private cookie = '';
	port = 0;
	private brokerPort = 0;

	private constructor(
		readonly host: Host,
		userFolder: string,
		private readonly ownsFolder: boolean,
		private readonly extraEnv: InstanceEnv,
	) {
		this.userFolder = userFolder;
	}

	/**
	 * `userFolder` persists (npm start); without it a temporary one is made and removed by dispose().
	 * `env` goes on top of the instance's own (undefined removes a variable), e.g. queue mode's.
	 */
	static async create(host: Host, opts: { userFolder?: string; port?: number; env?: InstanceEnv } = {}): Promise<N8nInstance> {
		const folder = opts.userFolder ?? mkdtempSync(join(tmpdir(), `n8n-e2e-${host.major}-`));
		mkdirSync(join(folder, '.n8n'), { recursive: true });
		const instance = new N8nInstance(host, folder, !opts.userFolder, opts.env ?? {});
		instance.port = opts.port ?? (await freePort());
		instance.brokerPort = await freePort();
		return instance;
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	env(): NodeJS.ProcessEnv {
		const { PATH = '' } = process.env;
		const env: NodeJS.ProcessEnv = {
			...process.env,
			PATH: `${dirname(this.host.node)}:${PATH}`,
			...OFFLINE_ENV,
			...this.host.env,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: 'n8n-nodes-prolific-e2e-key',
			N8N_LOG_FORMAT: 'json',
			N8N_LOG_LEVEL: 'info',
			N8N_PORT: String(this.port),
			N8N_HOST: '127.0.0.1',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_EDITOR_BASE_URL: this.baseUrl,
			WEBHOOK_URL: `${this.baseUrl}/`,
			N8N_SECURE_COOKIE: 'false',
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			// 2.x stores binary data on disk by default; 1.x keeps it in memory unless told.
			N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
			DB_SQLITE_POOL_SIZE: '1',
			N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_PROXY_HOPS: '0',
			// Nothing may leave the machine: no proxies, and n8n's own outgoing calls are switched off above.
			HTTP_PROXY: '',
			HTTPS_PROXY: '',
			http_proxy: '',
			https_proxy: '',
			NO_PROXY: '*',
			// A worker's health and readiness endpoints (queue mode), on the instance's own port.
			QUEUE_HEALTH_CHECK_PORT: String(this.port),
			...this.extraEnv,
		};
		for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
		return env;
	}

	/**
	 * Installs the package the way users do: the `npm pack` tarball into <user folder>/.n8n/nodes,
	 * with its dependencies (jszip) and without its peer dependency (n8n-workflow comes from n8n).
	 */
	async installPackage(tarball: string): Promise<void> {
		const nodesDir = join(this.userFolder, '.n8n', 'nodes');
		mkdirSync(nodesDir, { recursive: true });
		if (!existsSync(join(nodesDir, 'package.json'))) {
			writeFileSync(join(nodesDir, 'package.json'), `${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} })}\n`);
		}
		const result = await exec(
			'npm',
			['install', tarball, '--omit=peer', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
			{ cwd: nodesDir, env: process.env, timeoutMs: 180_000 },
		);
		if (result.exitCode !== 0) throw new Error(`installing ${tarball} failed:\n${result.stderr}`);
	}

	/** `n8n <args>` with this instance's environment. */
	async cli(args: string[], timeoutMs = 180_000): Promise<ExecuteResult> {
		const started = Date.now();
		const result = await exec(this.host.node, [this.host.n8n, ...args], { env: this.env(), cwd: this.userFolder, timeoutMs });
		return { ...result, ...parseOutput(result.stdout), seconds: (Date.now() - started) / 1000 };
	}

	async importCredentials(credentials: CredentialFile[]): Promise<void> {
		const file = this.scratchFile('credentials.json', credentials);
		const result = await this.cli(['import:credentials', `--input=${file}`]);
		if (result.exitCode !== 0) throw new Error(`import:credentials failed:\n${result.messages.join('\n')}\n${result.stderr}`);
	}

	async importWorkflows(workflows: Workflow[]): Promise<void> {
		const file = this.scratchFile('workflows.json', workflows);
		const result = await this.cli(['import:workflow', `--input=${file}`]);
		if (result.exitCode !== 0) throw new Error(`import:workflow failed:\n${result.messages.join('\n')}\n${result.stderr}`);
	}

	/** Makes an imported workflow active (its triggers run under `n8n start`): 2.x publishes it. */
	async activate(workflowId: string): Promise<void> {
		const args = this.host.major === 2 ? ['publish:workflow', `--id=${workflowId}`] : ['update:workflow', `--id=${workflowId}`, '--active=true'];
		const result = await this.cli(args);
		if (result.exitCode !== 0) throw new Error(`${args[0]} failed:\n${result.messages.join('\n')}\n${result.stderr}`);
	}

	/** `n8n execute --id <id> --rawOutput`: exit 0 when the workflow succeeded, 1 when it failed. */
	async execute(workflowId: string): Promise<ExecuteResult> {
		return await this.cli(['execute', `--id=${workflowId}`, '--rawOutput']);
	}

	/** Where n8n stored a binary file on disk (filesystem mode): <user folder>/.n8n/storage (2.x) or binaryData (1.x). */
	binaryPath(meta: BinaryMeta): string {
		const id = meta.id ?? '';
		const match = /^filesystem(?:-v2)?:(.+)$/.exec(id);
		if (!match) throw new Error(`binary data is not stored on disk (id: ${JSON.stringify(id)}, data: ${meta.data?.slice(0, 40)})`);
		const candidates = ['storage', 'binaryData'].map((dir) => join(this.userFolder, '.n8n', dir, match[1]));
		const found = candidates.find((path) => existsSync(path));
		if (!found) throw new Error(`n8n's binary file ${id} is not on disk (looked in ${candidates.join(', ')})`);
		return found;
	}

	readBinary(meta: BinaryMeta): Buffer {
		return readFileSync(this.binaryPath(meta));
	}

	/**
	 * `n8n start`, resolved when the REST API answers (1.x answers /healthz before its routes exist);
	 * or `n8n worker` (queue mode, QUEUE_HEALTH_CHECK_ACTIVE=true), resolved when it is ready.
	 */
	async startServer(timeoutMs = 120_000, command: 'start' | 'worker' = 'start'): Promise<void> {
		if (this.server) return;
		const child = spawn(this.host.node, [this.host.n8n, command], {
			env: this.env(),
			cwd: this.userFolder,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		this.server = child;
		if (this.logFile) writeFileSync(this.logFile, '');
		let partial = '';
		const append = (chunk: Buffer) => {
			const text = chunk.toString();
			this.serverLog += text;
			if (this.serverLog.length > 2_000_000) this.serverLog = this.serverLog.slice(-1_000_000);
			if (this.logFile) appendFileSync(this.logFile, text);
			if (!this.onError) return;
			const lines = (partial + text).split('\n');
			partial = lines.pop() ?? '';
			for (const line of lines) {
				const error = loggedError(line);
				if (error) this.onError(error);
			}
		};
		child.stdout?.on('data', append);
		child.stderr?.on('data', append);
		const deadline = Date.now() + timeoutMs;
		const answers = async (path: string) =>
			await fetch(`${this.baseUrl}${path}`).then(
				(r) => r.ok,
				() => false,
			);
		while (Date.now() < deadline) {
			if (child.exitCode !== null) throw new Error(`n8n start exited ${child.exitCode}:\n${this.serverLog.slice(-4000)}`);
			if ((await answers('/healthz/readiness')) && (command === 'worker' || (await answers('/rest/settings')))) return;
			await new Promise((r) => setTimeout(r, 500));
		}
		throw new Error(`n8n ${command} did not answer on ${this.baseUrl} within ${timeoutMs / 1000} s:\n${this.serverLog.slice(-4000)}`);
	}

	get running(): boolean {
		return !!this.server && this.server.exitCode === null && this.server.signalCode === null;
	}

	get log(): string {
		return this.serverLog;
	}

	/** Creates the owner account on a fresh instance (no-op when it exists) and keeps its session cookie. */
	async setupOwner(timeoutMs = 60_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const setup = await this.rawRest('POST', '/rest/owner/setup', N8N_OWNER);
			let status = setup.status;
			if (status !== 200) {
				const login = await this.rawRest('POST', '/rest/login', {
					emailOrLdapLoginId: N8N_OWNER.email,
					email: N8N_OWNER.email,
					password: N8N_OWNER.password,
				});
				status = login.status;
				if (status !== 200 && Date.now() > deadline) {
					throw new Error(`owner setup (${setup.status}) and login (${login.status}) failed: ${(await login.text()).slice(0, 500)}`);
				}
			}
			// Logged in, and the API answers as that user: n8n is ready for the tests.
			if (status === 200 && (await this.rawRest('GET', '/rest/login')).status === 200) return;
			if (Date.now() > deadline) throw new Error(`n8n's API did not accept the owner's session within ${timeoutMs / 1000} s`);
			await new Promise((r) => setTimeout(r, 1000));
		}
	}

	/** An authenticated REST call to the editor's API; returns the parsed body's `data`. */
	async rest<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T; body: unknown }> {
		const response = await this.rawRest(method, path, body);
		const parsed = (await response.json().catch(() => undefined)) as { data?: T } | undefined;
		return { status: response.status, data: parsed?.data as T, body: parsed };
	}

	private async rawRest(method: string, path: string, body?: unknown): Promise<Response> {
		const response = await fetch(`${this.baseUrl}${path}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': 'n8n-nodes-prolific-e2e',
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = response.headers.getSetCookie?.() ?? [];
		const auth = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth;
		return response;
	}

	/** Stops `n8n start`: gracefully (SIGTERM), or as a crash would (`hard`: SIGKILL at once). */
	async stopServer(opts: { hard?: boolean } = {}): Promise<void> {
		const child = this.server;
		this.server = undefined;
		if (!child || child.exitCode !== null) return;
		await killTree(child, opts.hard ? 'SIGKILL' : 'SIGTERM');
	}

	async dispose(): Promise<void> {
		await this.stopServer();
		if (this.ownsFolder && !process.env.E2E_KEEP) rmSync(this.userFolder, { recursive: true, force: true });
	}

	private scratchFile(name: string, value: unknown): string {
		const dir = join(this.userFolder, 'e2e-input');
		mkdirSync(dir, { recursive: true });
		const file = join(dir, name);
		writeFileSync(file, JSON.stringify(value, null, 2));
		return file;
	}
}

/** The message of a line n8n logs (JSON format) at error level; undefined for any other line. */
export function loggedError(line: string): string | undefined {
	if (!line.startsWith('{')) return undefined;
	try {
		const entry = JSON.parse(line) as { level?: string; message?: unknown };
		return entry.level === 'error' ? String(entry.message) : undefined;
	} catch {
		return undefined;
	}
}

/** SIGTERM (or `first`) to the process group, then SIGKILL after 10 s. */
export async function killTree(child: ChildProcess, first: NodeJS.Signals = 'SIGTERM'): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const signal = (sig: NodeJS.Signals) => {
		try {
			if (child.pid) process.kill(-child.pid, sig);
		} catch {
			try {
				child.kill(sig);
			} catch {
				// gone
			}
		}
	};
	signal(first);
	const timer = setTimeout(() => signal('SIGKILL'), 10_000);
	await exited;
	clearTimeout(timer);
}

interface ExecOptions {
	cwd?: string;
	env: NodeJS.ProcessEnv;
	timeoutMs: number;
}

/** Runs a command to completion without blocking the event loop (the emulator serves n8n from this process). */
function exec(command: string, args: string[], opts: ExecOptions): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const timer = setTimeout(() => {
			stderr += `\n[e2e] killed after ${opts.timeoutMs / 1000} s`;
			void killTree(child);
		}, opts.timeoutMs);
		const cleanup = () => void killTree(child);
		process.once('exit', cleanup);
		child.once('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.once('close', (code, signal) => {
			clearTimeout(timer);
			process.removeListener('exit', cleanup);
			if (signal) stderr += `\n[e2e] ${command} ended by ${signal}`;
			resolve({ exitCode: code, stdout, stderr });
		});
	});
}

/**
 * n8n logs JSON lines (N8N_LOG_FORMAT=json); with --rawOutput the execution is one of the
 * messages, itself JSON. Lines that are not JSON (a stray console.log) are kept as they are.
 */
function parseOutput(stdout: string): { run?: RunData; messages: string[] } {
	const messages: string[] = [];
	let run: RunData | undefined;
	for (const line of stdout.split('\n')) {
		if (!line.trim()) continue;
		let message: string;
		try {
			const parsed = JSON.parse(line) as { message?: unknown };
			message = typeof parsed.message === 'string' ? parsed.message : line;
		} catch {
			message = line;
		}
		messages.push(message);
		if (message.trimStart().startsWith('{') && message.includes('"resultData"')) {
			try {
				run = JSON.parse(message) as RunData;
			} catch {
				// not the execution
			}
		}
	}
	return { run, messages };
}

/** The items a node put out on its first run, first output. */
export function nodeItems(result: ExecuteResult, nodeName: string): Item[] {
	const runs = result.run?.data.resultData.runData[nodeName];
	if (!runs?.length) {
		const error = result.run?.data.resultData.error;
		throw new Error(
			`node "${nodeName}" did not run (exit ${result.exitCode}${error ? `, error: ${error.message}` : ''}):\n` +
				result.messages.filter((m) => !m.startsWith('{')).slice(-20).join('\n'),
		);
	}
	return runs[0].data?.main[0] ?? [];
}
