/**
 * The package in n8n's queue mode, as users scale it: Redis and PostgreSQL (Debian's, started by
 * this suite), one n8n main and two `n8n worker` processes, binary data in queue mode's default
 * `database` mode. Exports are enqueued through Webhook triggers (`n8n execute` runs locally, not
 * on the queue) and run on the workers; the Prolific trigger polls on main and its executions run
 * on the workers. n8n 2.x only: 1.x has no `database` binary data mode, and its queue mode needs
 * S3 for binaries, which needs a licence.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import type { ProlificEmulator } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { BATCH_ID, SUBMISSION, SUBMISSION_FILES, TOTAL_FILES } from '../fixtures/sample-expected';
import { Catcher, fetchArchive, startSampleEmulator } from './lib/emulator';
import { host, majors } from './lib/hosts';
import type { Workflow, WorkflowNode } from './lib/n8n';
import { packageTarball } from './lib/package';
import { startQueueCluster, type QueueCluster } from './lib/queue';
import { credentials, exportNode, triggerNode } from './lib/workflows';

const EXPORTS = 'e2eQueueExports';
const TRIGGER = 'e2eQueueTrigger';
const OUTPUTS = ['submissions', 'files', 'archive'] as const;
type Output = (typeof OUTPUTS)[number];

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** One Webhook per output, each into its own Prolific Batch Export; the webhook answers with the export's items. */
function exportsWorkflow(): Workflow {
	const nodes: WorkflowNode[] = [];
	const connections: Record<string, unknown> = {};
	OUTPUTS.forEach((output, row) => {
		const webhook: WorkflowNode = {
			id: `queue-webhook-${output}`,
			name: `Webhook ${output}`,
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, row * 200],
			webhookId: randomUUID(),
			parameters: { httpMethod: 'GET', path: `prolific-${output}`, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
		};
		const node = { ...exportNode({ batch: '={{ $json.query.batch }}', output, options: { pollInterval: 0.2, timeout: 120 } }) };
		node.id = `queue-export-${output}`;
		node.name = `Export ${output}`;
		node.position = [300, row * 200];
		nodes.push(webhook, node);
		connections[webhook.name] = { main: [[{ node: node.name, type: 'main', index: 0 }]] };
	});
	return { id: EXPORTS, name: 'e2e queue exports', active: false, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {} };
}

/**
 * Batches of their own (copies of the sample): exports of one batch running at once share one
 * export job on a server that hands back the job still generating, and a node deleting it after
 * its download would pull it from under the others.
 */
const TRIGGER_BATCH = randomUUID();
const PARALLEL_BATCHES = [1, 2, 3, 4].map(() => randomUUID());

/** The trigger (every 5 s) -> each submission's first upload POSTed by a worker, read back from the database. */
function triggerWorkflow(catcher: string): Workflow {
	const trigger = triggerNode(TRIGGER_BATCH);
	const post: WorkflowNode = {
		id: 'queue-post',
		name: 'Deliver',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [300, 0],
		parameters: {
			method: 'POST',
			url: `${catcher}/delivered`,
			sendQuery: true,
			queryParameters: { parameters: [{ name: 'submission', value: '={{ $json.submission_id }}' }] },
			sendBody: true,
			contentType: 'binaryData',
			inputDataFieldName: 'file_0',
			options: {},
		},
	};
	const connections = { [trigger.name]: { main: [[{ node: post.name, type: 'main', index: 0 }]] } };
	return { id: TRIGGER, name: 'e2e queue trigger', active: false, nodes: [trigger, post], connections, settings: { executionOrder: 'v1' }, pinData: {} };
}

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

interface Execution {
	id: string;
	status: string;
}

if (majors().includes(2)) {
	describe('Prolific Batch Export in n8n 2.x queue mode (Redis, PostgreSQL, main + 2 workers, database binary data)', () => {
		let emulator: ProlificEmulator;
		let catcher: Catcher;
		let cluster: QueueCluster;

		const executions = async (workflowId: string, afterId = 0) =>
			await cluster.postgres.query<Execution>(
				'SELECT id::text AS id, status FROM execution_entity WHERE "workflowId" = $1 AND id > $2 ORDER BY id',
				[workflowId, afterId],
			);
		const lastExecution = async () => Number((await executions(EXPORTS)).at(-1)?.id ?? 0);
		/** [file name, sha256] of every binary an execution stored, sorted. */
		const storedFiles = async (executionId: string) =>
			(
				await cluster.postgres.query<{ name: string; sha: string }>(
					`SELECT "fileName" AS name, encode(sha256(data), 'hex') AS sha FROM binary_data WHERE "sourceType" = 'execution' AND "sourceId" = $1`,
					[executionId],
				)
			)
				.map(({ name, sha }) => `${name} ${sha}`)
				.sort();
		const enqueue = async (output: Output, batch = BATCH_ID): Promise<Array<Record<string, unknown>>> => {
			const response = await fetch(`${cluster.main.baseUrl}/webhook/prolific-${output}?batch=${batch}`);
			const body = await response.text();
			assert.equal(response.status, 200, body.slice(0, 1000));
			return JSON.parse(body) as Array<Record<string, unknown>>;
		};
		/** Enqueues one export and checks its execution succeeded on a worker; returns its items and ID. */
		const exportVia = async (output: Output) => {
			const since = await lastExecution();
			const items = await enqueue(output);
			const execution = await until('the execution to end', async () => {
				const [ran] = await executions(EXPORTS, since);
				return ran && !['new', 'running'].includes(ran.status) ? ran : undefined;
			});
			assert.equal(execution.status, 'success');
			assert.ok(cluster.executionsByWorker().flat().includes(execution.id), `execution ${execution.id} ran on a worker`);
			return { items, executionId: execution.id };
		};

		before(async () => {
			emulator = await startSampleEmulator({ behaviour: 'B', maxJobsPerBatch: 10_000 });
			for (const batch of [TRIGGER_BATCH, ...PARALLEL_BATCHES]) emulator.addBatch({ ...sampleBatch, batch_id: batch });
			catcher = await Catcher.start();
			const started = Date.now();
			cluster = await startQueueCluster({
				host: host(2),
				tarball: packageTarball(),
				// One job at a time per worker: concurrent exports must spread over both.
				concurrency: 1,
				credentials: credentials(emulator.apiUrl, emulator.token),
				workflows: [exportsWorkflow(), triggerWorkflow(catcher.url)],
				activate: [EXPORTS, TRIGGER],
				log: (line) => console.log(`[queue] ${line}`),
			});
			console.log(`[queue] cluster up in ${Math.round((Date.now() - started) / 1000)} s`);
		});
		after(async () => {
			await cluster?.stop();
			await catcher?.close();
			await emulator?.close();
		});

		it('Submissions: one item per submission, every upload stored in PostgreSQL byte for byte', async () => {
			const { items, executionId } = await exportVia('submissions');
			assert.deepEqual(items.map((item) => item.submission_id), SUBMISSION);
			const expected = SUBMISSION_FILES.flat().map(([, , name, path]) => `${name} ${sha256(sampleBatch.files[path])}`);
			assert.deepEqual(await storedFiles(executionId), expected.sort());
		});

		it('Files: one item per upload, each stored in PostgreSQL byte for byte', async () => {
			const { items, executionId } = await exportVia('files');
			assert.equal(items.length, TOTAL_FILES);
			const stored = (await storedFiles(executionId)).map((row) => row.split(' ').at(-1));
			const expected = SUBMISSION_FILES.flat().map(([, , , path]) => sha256(sampleBatch.files[path]));
			assert.deepEqual(stored.sort(), expected.sort());
		});

		it('Archive: the ZIP stored in PostgreSQL is the one Prolific served', async () => {
			const { items, executionId } = await exportVia('archive');
			assert.equal(items.length, 1);
			assert.equal(items[0].submissions, SUBMISSION.length);
			const archive = await fetchArchive(emulator, BATCH_ID);
			assert.deepEqual(await storedFiles(executionId), [`${items[0].file_name} ${sha256(archive)}`]);
		});

		it('exports enqueued together run on both workers', async () => {
			const since = await lastExecution();
			const results = await Promise.all(PARALLEL_BATCHES.map(async (batch) => await enqueue('submissions', batch)));
			for (const items of results) assert.equal(items.length, SUBMISSION.length);
			const ids = (await executions(EXPORTS, since)).map((execution) => execution.id);
			assert.equal(ids.length, 4);
			const [first, second] = cluster.executionsByWorker().map((ran) => ids.filter((id) => ran.includes(id)));
			assert.ok(first.length >= 1 && second.length >= 1, `worker 1 ran ${first.join(', ')}; worker 2 ran ${second.join(', ')}`);
			assert.equal(first.length + second.length, 4);
		});

		it('the trigger polls on main and its executions run on the workers, reading the uploads back from PostgreSQL', async () => {
			await until('five deliveries', () => catcher.requests.length >= SUBMISSION.length || undefined, 90_000);
			const delivered = catcher.requests.map((request) => [request.query.get('submission'), sha256(request.body)]);
			const expected = SUBMISSION.map((id, s) => [id, sha256(sampleBatch.files[SUBMISSION_FILES[s][0][3]])]);
			assert.deepEqual(delivered, expected);
			const runs = await executions(TRIGGER);
			assert.ok(runs.length >= 1 && runs.every((run) => run.status === 'success'), JSON.stringify(runs));
			const onWorkers = cluster.executionsByWorker().flat();
			for (const run of runs) assert.ok(onWorkers.includes(run.id), `trigger execution ${run.id} ran on a worker`);
			assert.doesNotMatch(cluster.main.log, /Worker started execution/);
		});

		it('no process wrote binary data to its own disk', () => {
			assert.deepEqual(cluster.filesOnDisk(), []);
		});

		it('stopping an execution from main ends it on its worker within 2 s: no more status checks', async () => {
			// A batch of its own, so the trigger's polls (which wait too) are not counted.
			const batch = randomUUID();
			emulator.addBatch({ ...sampleBatch, batch_id: batch });
			emulator.pollsUntilComplete = 1_000_000;
			try {
				const since = await lastExecution();
				const pending = enqueue('submissions', batch).catch(() => undefined);
				const running = await until('a running execution', async () => (await executions(EXPORTS, since))[0]);
				const statusChecks = () => emulator.requests.filter((r) => r.method === 'GET' && r.path.includes(`${batch}/export/`));
				const polling = statusChecks().length;
				await until('the export being polled', () => statusChecks().length >= polling + 2 || undefined);
				const worker = await until('the worker running it', () =>
					cluster.workers.find((_, i) => cluster.executionsByWorker()[i].includes(running.id)),
				);
				const stopped = Date.now();
				const stop = await cluster.main.rest('POST', `/rest/executions/${running.id}/stop`);
				assert.equal(stop.status, 200, JSON.stringify(stop.body));
				// A cancelled job ends as "Worker errored while running execution N" (n8n 2.40).
				const ended = new RegExp(`Worker (finished|errored while running) execution ${running.id} `);
				await until('the worker to end it', () => ended.test(worker.log) || undefined, 10_000);
				const took = Date.now() - stopped;
				const last = Math.max(...statusChecks().map((r) => r.at)) - stopped;
				console.log(`[queue] stop: the worker ended the execution after ${took} ms, its last status check ${last} ms after the stop`);
				assert.ok(took < 2_500, `the worker ended it ${took} ms after the stop`);
				const ending = Date.now();
				await new Promise((resolve) => setTimeout(resolve, 2_000));
				assert.deepEqual(statusChecks().filter((r) => r.at > ending), [], 'no status check after it ended');
				const [after] = await executions(EXPORTS, since);
				assert.equal(after.status, 'canceled');
				await pending;
			} finally {
				emulator.pollsUntilComplete = 1;
			}
		});
	});
}
