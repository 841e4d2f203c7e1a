/**
 * The Prolific Batch Export Trigger active under REAL `n8n start`, polling every 5 seconds: what
 * a researcher's workflow receives across a poll that fails, and across n8n killed mid-poll and
 * started again. Each emitted submission is posted to a local catcher, so the test counts what
 * reached the workflow, as n8n ran it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { BatchSpec, ProlificEmulator, SubmissionSpec } from '../emulator';
import { buildArchive, mutateArchive } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { BATCH_ID, SUBMISSION } from '../fixtures/sample-expected';
import { Catcher, startSampleEmulator } from './lib/emulator';
import { host, majors } from './lib/hosts';
import { N8nInstance, type WorkflowNode } from './lib/n8n';
import { packageTarball } from './lib/package';
import { credentials, linear, triggerNode } from './lib/workflows';

const WORKFLOW_ID = 'e2eTriggerOnce';

/** The sample batch as it stood when only its first `count` submissions had come in. */
function batchOf(count: number): BatchSpec {
	const submissions: SubmissionSpec[] = sampleBatch.submissions.slice(0, count);
	const ids = new Set(submissions.map((s) => s.submission_id));
	const files = Object.fromEntries(Object.entries(sampleBatch.files).filter(([path]) => [...ids].some((id) => path.includes(id))));
	return { ...sampleBatch, submissions, files };
}

/** Trigger (every 5 s) -> POST each submission's ID. */
function triggerWorkflow(catcher: string) {
	const trigger = triggerNode(BATCH_ID);
	const post: WorkflowNode = {
		id: 'e2e-post',
		name: 'Deliver',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [0, 0],
		parameters: {
			method: 'POST',
			url: `${catcher}/delivered`,
			sendBody: true,
			specifyBody: 'json',
			jsonBody: '={{ JSON.stringify({ submission_id: $json.submission_id }) }}',
			options: {},
		},
	};
	return linear(WORKFLOW_ID, 'Trigger delivers once', [trigger, post]);
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 90_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

for (const major of majors()) {
	describe(`Prolific Batch Export Trigger active in n8n ${major}.x`, () => {
		let emulator: ProlificEmulator;
		let catcher: Catcher;
		let n8n: N8nInstance;
		const delivered = () => catcher.requests.map((request) => (JSON.parse(request.body.toString()) as { submission_id: string }).submission_id);

		before(async () => {
			emulator = await startSampleEmulator({ behaviour: 'B' });
			emulator.addBatch(batchOf(2));
			catcher = await Catcher.start();
			n8n = await N8nInstance.create(host(major));
			await n8n.installPackage(packageTarball());
			await n8n.importCredentials(credentials(emulator.apiUrl, emulator.token));
			await n8n.importWorkflows([triggerWorkflow(catcher.url)]);
			await n8n.activate(WORKFLOW_ID);
			await n8n.startServer();
			await n8n.setupOwner();
		});
		after(async () => {
			await n8n?.dispose();
			await catcher?.close();
			await emulator?.close();
		});

		it('emits the submissions there are when it starts polling', async () => {
			await until('the first two submissions', () => delivered().length >= 2);
			assert.deepEqual(delivered(), SUBMISSION.slice(0, 2));
		});

		it('a poll that fails (a damaged download) loses nothing: the next emits its submissions, and shows why it failed', async () => {
			const second = batchOf(4);
			emulator.addBatch(second);
			const damaged = await mutateArchive.corrupt(await buildArchive(second), (name) => name.startsWith(`files/${SUBMISSION[2]}`));
			emulator.inject({ route: 'download', archive: damaged });
			await until('the two new submissions', () => delivered().length >= 4);
			assert.deepEqual(delivered(), SUBMISSION.slice(0, 4));

			const { data } = await n8n.rest<{ results: Array<{ id: string; status: string }> }>(
				'GET',
				`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: WORKFLOW_ID, status: ['error'] }))}`,
			);
			assert.equal(data.results.length, 1, 'one failed poll is in the Executions list');
			const failed = await n8n.rest<{ data: string }>('GET', `/rest/executions/${data.results[0].id}`);
			const stored = JSON.stringify(failed.data);
			assert.match(stored, /The export archive is corrupt: 'files\//);
			assert.match(stored, /Run the node again to download a fresh copy/);
		});

		it('n8n killed in the middle of a poll, then started again: the poll after emits the new submission once', async () => {
			emulator.addBatch(sampleBatch);
			const since = Date.now();
			// The next poll hangs on its status check until n8n is killed.
			emulator.inject({ route: 'export.status', delayMs: 60_000, times: 1 });
			await until('a poll to be waiting on its export', () =>
				emulator.requests.some((request) => request.at > since && request.method === 'GET' && request.path.includes('/export/')),
			);
			await n8n.stopServer({ hard: true });
			assert.deepEqual(delivered(), SUBMISSION.slice(0, 4), 'nothing came out of the killed poll');
			await n8n.startServer();
			await until('the fifth submission', () => delivered().length >= 5);
			// Two more polls: nothing again.
			await new Promise((resolve) => setTimeout(resolve, 11_000));
			assert.deepEqual(delivered(), SUBMISSION);
		});
	});
}
