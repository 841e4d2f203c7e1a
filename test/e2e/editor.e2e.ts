/**
 * The sandbox `npm start` opens, checked as a user would: REAL n8n's editor server with the
 * package loaded, the credential's Test button (right and wrong token) and the batch picker
 * through the editor's REST API, then headless Chromium (Debian's) finding "Prolific Batch
 * Export" in the node panel, opening its parameters, running it (Submissions, then Rows) and taking
 * a screenshot of the Rows table (the README's docs/editor.png).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { sampleBatches } from '../fixtures/sample-batch';
import { COLUMNS, ROWS, SUBMISSION } from '../fixtures/sample-expected';
import { host, majors } from './lib/hosts';
import { packageTarball } from './lib/package';
import { N8N_OWNER, startSandbox, type Sandbox } from './lib/sandbox';
import { CREDENTIAL, NODE_NAME, NODE_TYPE } from './lib/workflows';
import { CHROMIUM } from './setup';

/** Screenshots land here: E2E_ARTIFACTS, or a folder in the system's temp dir. */
const ARTIFACTS = process.env.E2E_ARTIFACTS ?? join(tmpdir(), 'n8n-nodes-prolific-e2e');

/** Chromium with no outside network: no background services, no first-run, no sync. */
const CHROMIUM_FLAGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-default-apps',
	'--disable-extensions',
	'--no-default-browser-check',
	'--metrics-recording-only',
	'--disable-domain-reliability',
	'--disable-client-side-phishing-detection',
	'--password-store=basic',
	// No name resolves: the page reaches n8n by IP, and Chromium's own services (autofill,
	// password leak check, accounts, updates) cannot even look up their hosts.
	'--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
];

const INVALID_TOKEN_MESSAGE = 'Invalid token: Prolific rejected it. Copy a current token from Prolific (Settings > API Tokens).';

for (const major of majors()) {
	describe(`n8n ${major}.x editor with the package loaded (the npm start sandbox)`, () => {
		let sandbox: Sandbox;

		before(async () => {
			sandbox = await startSandbox({ host: host(major), tarball: packageTarball() });
		});
		after(async () => await sandbox?.stop());

		it('lists the node and its credential type among the editor’s types', async () => {
			const list = async <T>(path: string): Promise<T[]> => {
				const { body } = await sandbox.n8n.rest('GET', path);
				assert.ok(body && typeof body === 'object', `${path}: ${JSON.stringify(body)?.slice(0, 200)}`);
				return (Array.isArray(body) ? body : Object.values(body)) as T[];
			};
			const nodes = await list<{ name: string; displayName: string }>('/types/nodes.json');
			assert.equal(nodes.find((t) => t.name === NODE_TYPE)?.displayName, NODE_NAME);
			const credentialTypes = await list<{ name: string; displayName: string }>('/types/credentials.json');
			assert.equal(credentialTypes.find((t) => t.name === 'prolificApi')?.displayName, 'Prolific API');
		});

		it('credential Test: the right token passes, a wrong one fails with a clear message', async () => {
			const test = async (apiToken: string) =>
				await sandbox.n8n.rest<{ status: string; message: string }>('POST', '/rest/credentials/test', {
					// As the credential modal sends it: the saved credential's ID with the data typed in.
					credentials: { ...CREDENTIAL, type: 'prolificApi', data: { apiToken, baseUrl: sandbox.emulator.apiUrl } },
				});
			const right = await test(sandbox.emulator.token);
			assert.equal(right.status, 200, JSON.stringify(right.body));
			assert.equal(right.data.status, 'OK', right.data.message);
			const wrong = await test('not-a-valid-token');
			assert.equal(wrong.data.status, 'Error');
			// n8n 2.x shows the credential's own message for a 401. n8n 1.x's credential tester reads
			// `responseCode` rules only from an error whose `cause.response` is set; the 401 error its
			// request helper throws has none, so 1.x shows n8n's generic 401 text instead.
			assert.equal(wrong.data.message, major === 2 ? INVALID_TOKEN_MESSAGE : 'Authorization failed - please check your credentials');
			// The test request carried each token in the credential's header (n8n may try a failing one twice).
			const me = sandbox.emulator.requests.filter((r) => r.path === '/api/v1/users/me/').map((r) => r.headers.authorization);
			assert.equal(me[0], `Token ${sandbox.emulator.token}`);
			assert.ok(me.length >= 2, me.join(', '));
			for (const header of me.slice(1)) assert.equal(header, 'Token not-a-valid-token');
		});

		it('batch picker (From List): every batch the token sees, through the editor’s API', async () => {
			const response = await sandbox.n8n.rest<{ results: Array<{ name: string; value: string }> }>(
				'POST',
				'/rest/dynamic-node-parameters/resource-locator-results',
				{
					nodeTypeAndVersion: { name: NODE_TYPE, version: 1 },
					path: 'batch',
					methodName: 'searchBatches',
					currentNodeParameters: { batch: { __rl: true, mode: 'list', value: '' } },
					credentials: { prolificApi: CREDENTIAL },
					filter: '',
				},
			);
			assert.equal(response.status, 200, JSON.stringify(response.body));
			const values = response.data.results.map((r) => r.value).sort();
			assert.deepEqual(values, sampleBatches.map((b) => b.batch_id).sort());
			for (const batch of sampleBatches) {
				const entry = response.data.results.find((r) => r.value === batch.batch_id);
				assert.ok(entry?.name.includes(batch.name), `${entry?.name} names ${batch.name}`);
			}
		});

		it('in Chromium: finds the node in the node panel, opens its parameters, runs it (screenshot)', async () => {
			mkdirSync(ARTIFACTS, { recursive: true });
			const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
			let context: BrowserContext | undefined;
			let page: Page | undefined;
			try {
				context = await chromium.launchPersistentContext(profile, {
					executablePath: CHROMIUM,
					headless: true,
					args: CHROMIUM_FLAGS,
					// Wide enough for the Rows table to show the instructions' columns beside the IDs.
					viewport: { width: 1920, height: 900 },
				});
				// Belt and braces: the page may talk to this n8n only.
				await context.route('**/*', (route) => {
					const url = new URL(route.request().url());
					return ['127.0.0.1', 'localhost'].includes(url.hostname) || url.protocol === 'data:' || url.protocol === 'blob:'
						? route.continue()
						: route.abort();
				});
				page = context.pages()[0] ?? (await context.newPage());
				page.setDefaultTimeout(30_000);

				await page.goto(`${sandbox.n8n.baseUrl}/signin`);
				await page.locator('input[name="emailOrLdapLoginId"], input[name="email"]').first().fill(N8N_OWNER.email);
				await page.locator('input[name="password"]').fill(N8N_OWNER.password);
				await page.getByRole('button', { name: /sign in/i }).click();
				await page.waitForURL((url) => !url.pathname.includes('/signin'));

				await page.goto(sandbox.url);
				const canvasNode = page.locator('[data-test-id="canvas-node"]').filter({ hasText: NODE_NAME });
				await canvasNode.first().waitFor();

				// The node panel: search "Prolific", the node is listed.
				await page.locator('[data-test-id="node-creator-plus-button"]').first().click();
				await page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first().fill('Prolific');
				const listed = page.locator('[data-test-id="item-iterator-item"]').filter({ hasText: NODE_NAME });
				await listed.first().waitFor();
				await page.screenshot({ path: join(ARTIFACTS, `node-panel-n8n-${major}.png`) });
				await page.keyboard.press('Escape');
				await page.locator('[data-test-id="node-creator-search-bar"]').first().waitFor({ state: 'hidden' });

				// Its parameters: Batch (with the sample batch picked) and Output.
				await canvasNode.first().dblclick();
				const ndv = page.locator('[data-test-id="ndv"]');
				await ndv.waitFor();
				await ndv.getByText('Batch', { exact: true }).first().waitFor();
				await ndv.getByText('Output', { exact: true }).first().waitFor();

				// Run it: the output panel shows the sample batch's 5 submissions, as a table.
				await ndv.locator('[data-test-id="node-execute-button"]').first().click();
				const output = page.locator('[data-test-id="output-panel"], [data-test-id="ndv-output-panel"]').first();
				await output.locator('[data-test-id="ndv-items-count"]').getByText(/\b5 items\b/).first().waitFor({ timeout: 60_000 });
				await output.locator('[data-test-id="ndv-run-data-display-mode"]').getByText('Table', { exact: true }).first().click();
				for (const submission of SUBMISSION) {
					await output.getByText(submission, { exact: true }).filter({ visible: true }).first().waitFor();
				}
				await page.screenshot({ path: join(ARTIFACTS, `submissions-n8n-${major}.png`) });

				// Output: Rows, run again: 20 rows, one column per instruction, named by its description.
				await ndv.locator('[data-test-id="parameter-input-output"]').click();
				await page.getByRole('option', { name: /^Rows/ }).first().click();
				await ndv.locator('[data-test-id="node-execute-button"]').first().click();
				await output.locator('[data-test-id="ndv-items-count"]').getByText(/\b20 items\b/).first().waitFor({ timeout: 60_000 });
				await output.locator('[data-test-id="ndv-run-data-display-mode"]').getByText('Table', { exact: true }).first().click();
				// The screenshot's output: the parameters panel dragged left, over the input panel.
				const handle = (await ndv.locator('[data-test-id="panel-drag-button"]').first().boundingBox())!;
				await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
				await page.mouse.down();
				await page.mouse.move(100, handle.y + handle.height / 2, { steps: 10 });
				await page.mouse.up();
				await page.mouse.move(300, 750);
				const [first] = ROWS;
				const firstRow = first[2];
				for (const column of COLUMNS.slice(0, 7)) await output.getByText(column, { exact: true }).filter({ visible: true }).first().waitFor();
				for (const cell of ["Estimate the item's width", 'Which categories apply?'].map((column) => firstRow[column]))
					await output.getByText(cell, { exact: true }).filter({ visible: true }).first().waitFor();
				// n8n 1.x keeps one toast per run: close each, then wait until none is left.
				const toasts = page.locator('.el-notification').filter({ hasText: 'Node executed successfully' });
				for (const toast of await toasts.all()) await toast.locator('.el-notification__closeBtn').click().catch(() => undefined);
				for (let waited = 0; (await toasts.count()) > 0; waited += 200) {
					if (waited > 10_000) throw new Error('the "Node executed successfully" toasts did not close');
					await page.waitForTimeout(200);
				}
				const shot = join(ARTIFACTS, `editor-n8n-${major}.png`);
				await page.screenshot({ path: shot });
				console.log(`screenshot: ${shot}`);
			} catch (error) {
				await page?.screenshot({ path: join(ARTIFACTS, `failure-n8n-${major}.png`) }).catch(() => undefined);
				throw error;
			} finally {
				await context?.close();
				rmSync(profile, { recursive: true, force: true });
			}
		});
	});
}
