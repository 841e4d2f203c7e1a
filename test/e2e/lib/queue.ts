import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { Host } from './hosts';
import { N8nInstance, type CredentialFile, type InstanceEnv, type Workflow } from './n8n';
import { startPostgres, startRedis, type Postgres, type Service } from './services';

/**
 * n8n in queue mode, as its docs set it up: one main (editor, API, webhooks, triggers' polls) and
 * workers that run the executions, sharing Redis (Bull) and PostgreSQL. Binary data is left to
 * its queue-mode default, `database`. Each process has its own user folder with the package
 * installed from its tarball, its own N8N_PORT and N8N_RUNNERS_BROKER_PORT.
 */
export interface QueueCluster {
	main: N8nInstance;
	workers: N8nInstance[];
	postgres: Postgres;
	/** The execution IDs each worker logged as started, by worker. */
	executionsByWorker(): string[][];
	/** Files any process stored under its own user folder (binary data that missed the database). */
	filesOnDisk(): string[];
	stop(): Promise<void>;
}

export interface QueueOptions {
	host: Host;
	tarball: string;
	workers?: number;
	/** how many jobs each worker runs at once (`n8n worker --concurrency`) */
	concurrency?: number;
	credentials: CredentialFile[];
	workflows: Workflow[];
	/** published (activated) before main starts: their webhooks and triggers go live with it */
	activate: string[];
	log?: (line: string) => void;
}

export function queueEnv(redis: number, postgres: number): InstanceEnv {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgres),
		DB_POSTGRESDB_DATABASE: 'postgres',
		DB_POSTGRESDB_USER: 'postgres',
		DB_POSTGRESDB_PASSWORD: '',
		// queue mode's default binary data mode: `database`
		N8N_DEFAULT_BINARY_DATA_MODE: undefined,
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
	};
}

const STARTED = /Worker started execution (\d+)/g;

export async function startQueueCluster(opts: QueueOptions): Promise<QueueCluster> {
	const log = opts.log ?? (() => undefined);
	const started: Service[] = [];
	const instances: N8nInstance[] = [];
	const stop = async () => {
		// Workers first (they finish or drop their jobs), then main, then what they connect to.
		for (const instance of instances.slice(1)) await instance.dispose();
		await instances[0]?.dispose();
		for (const service of started.reverse()) await service.stop();
	};
	try {
		const [redis, postgres] = await Promise.all([startRedis(), startPostgres(opts.host)]);
		started.push(redis, postgres);
		log(`redis on ${redis.port}, postgres on ${postgres.port}`);
		const env = queueEnv(redis.port, postgres.port);
		instances.push(await N8nInstance.create(opts.host, { env }));
		// A worker takes this many jobs at once (as `n8n worker --concurrency` would).
		const workerEnv = { ...env, N8N_CONCURRENCY_PRODUCTION_LIMIT: String(opts.concurrency ?? 10) };
		for (let i = 0; i < (opts.workers ?? 2); i++) instances.push(await N8nInstance.create(opts.host, { env: workerEnv }));
		const [main, ...workers] = instances;
		const since = Date.now();
		const took = () => `${Math.round((Date.now() - since) / 1000)} s`;
		await Promise.all(instances.map(async (instance) => await instance.installPackage(opts.tarball)));
		log(`package installed in ${instances.length} user folders: ${took()}`);
		await main.importCredentials(opts.credentials);
		await main.importWorkflows(opts.workflows);
		for (const id of opts.activate) await main.activate(id);
		log(`credentials and workflows imported and published: ${took()}`);
		await main.startServer();
		await main.setupOwner();
		log(`main on ${main.port}: ${took()}`);
		await Promise.all(workers.map(async (worker) => await worker.startServer(120_000, 'worker')));
		log(`workers on ${workers.map((w) => w.port).join(', ')}: ${took()}`);
		return {
			main,
			workers,
			postgres,
			executionsByWorker: () => workers.map((worker) => [...worker.log.matchAll(STARTED)].map((match) => match[1])),
			filesOnDisk: () =>
				instances.flatMap((instance) =>
					['storage', 'binaryData']
						.map((dir) => join(instance.userFolder, '.n8n', dir))
						.filter((dir) => existsSync(dir))
						.flatMap((dir) => readdirSync(dir, { recursive: true }).map((path) => join(dir, String(path))))
						.filter((path) => statSync(path).isFile()),
				),
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
