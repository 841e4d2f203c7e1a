import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { IDataObject } from 'n8n-workflow';

import type { EmulatorOptions, Fault, ProlificEmulator } from '../emulator';
import { buildArchive, mutateArchive } from '../emulator';
import { otherBatch, sampleBatch } from '../fixtures/sample-batch';
import { BATCH_ID } from '../fixtures/sample-expected';
import type { RunResult } from '../harness';
import { mutatedArchive, mutationBases } from '../support/archive-mutations';
import { recordsArchive, serveArchive } from '../support/archives';
import { outputOf } from '../support/output';
import { credentialsAtDownload, findSecret, secretInRequests, secretInRun } from '../support/secrets';
import { runExport, startEmulator, type ExportRun } from '../support/setup';
import { EXPORT_PATH, isDownload } from '../support/requests';

/**
 * The token carries the researcher's full rights and never expires. It may go to one place
 * only: the Authorization header of requests to the API. These tests sweep every error, error
 * item, output item and the emulator's request log for it, with a token that appears nowhere
 * else. (The fault matrix and the fuzzing sweep their own runs the same way.)
 */

const TOKEN = 'prolific-secret-Zq7r4vX9kLm2Wp8t';
const WRONG_TOKEN = 'prolific-revoked-Hc3n8Jd5Qe1Ys6Bu';
const EXPORT = EXPORT_PATH(BATCH_ID);

/** What an error item may hold: the error and what to do, nothing from the request. */
const REQUEST_DETAILS = /authorization|user-agent|n8n-nodes-prolific\/|x-amz-signature|headers|cookie|Token [A-Za-z0-9-]{8,}/i;

async function emulatorWith(options: EmulatorOptions = {}): Promise<ProlificEmulator> {
	return await startEmulator({ tokens: [TOKEN], ...options });
}

/** Every place the secret turned up in a run and in what the emulator saw, besides the API's Authorization header. */
function leaks(emulator: ProlificEmulator, run: RunResult, secret = TOKEN): string[] {
	return [
		...secretInRun(run, secret),
		...findSecret(run.error?.raw, secret, 'error.raw'),
		...secretInRequests(emulator.requests, secret),
		...credentialsAtDownload(emulator.requests, secret),
	];
}

interface Failure {
	name: string;
	emulator?: EmulatorOptions;
	faults?: Fault[];
	arrange?: (emulator: ProlificEmulator) => ExportRun | void;
	options?: IDataObject;
	token?: string;
	/** the error message, to be sure the intended failure happened */
	message: RegExp;
	/** the description must say this, e.g. that the token was redacted from Prolific's words */
	description?: RegExp;
}

const FAILURES: Failure[] = [
	{ name: 'a revoked token (401)', token: WRONG_TOKEN, message: /^Prolific rejected the API token$/ },
	{
		name: 'no access (403)',
		arrange: (emulator) => {
			const batchId = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
			emulator.addBatch({ ...otherBatch, batch_id: batchId }, undefined, { forbidden: true });
			return { batchId };
		},
		message: /^No access to this batch’s workspace$/,
	},
	{ name: 'an unknown batch (404)', arrange: () => ({ batchId: '9a9a9a9a-1b1b-4c4c-8d8d-0e0e0e0e0e0e' }), message: /^Batch .+ not found$/ },
	{
		name: 'Prolific quoting the token back in its error',
		faults: [
			{
				route: 'export.request',
				status: 400,
				body: { error: { status: 400, title: 'Bad request', detail: `Header 'Authorization: Token ${TOKEN}' is not allowed here.` } },
			},
		],
		message: /^Prolific refused the request \(HTTP 400\)$/,
		description: /^Prolific says: "Bad request: Header 'Authorization: Token \[redacted\]' is not allowed here"/,
	},
	{
		name: 'a proxy error page echoing the request headers',
		faults: [
			{
				route: 'export.status',
				status: 502,
				times: 100,
				body: `<html><pre>GET ${EXPORT}\nAuthorization: Token ${TOKEN}\nUser-Agent: n8n-nodes-prolific</pre></html>`,
			},
		],
		options: { timeout: 0.8 },
		message: /^Prolific answered with a server error \(HTTP 502\) \(\d attempts\)$/,
		description: /Authorization: Token \[redacted\]/,
	},
	{
		name: 'rate limited until the Timeout',
		faults: [{ route: 'export.request', status: 429, retryAfter: 0.2, times: 100 }],
		options: { timeout: 0.7 },
		message: /^Prolific is rate limiting requests \(\d attempts\)$/,
	},
	{
		name: 'an unreachable API',
		arrange: () => ({ baseUrl: 'http://127.0.0.1:9' }),
		message: /^Could not reach Prolific at http:\/\/127\.0\.0\.1:9 \(connection refused\)$/,
	},
	{
		name: 'connections reset until the Timeout',
		faults: [{ route: 'export.status', reset: 'before-headers', times: 100 }],
		options: { timeout: 0.8 },
		message: /^Could not reach Prolific at .+ \(connection reset\) after \d attempts$/,
	},
	{
		name: 'a failed export',
		faults: [{ route: 'export.status', exportFailed: true, times: 3 }],
		message: /^Prolific could not generate the export of batch .+ \(failed 3 times\)$/,
	},
	{ name: 'an export not ready in time', emulator: { pollsUntilComplete: 1_000 }, options: { timeout: 0.3 }, message: /was not ready after 0\.3 s/ },
	{ name: 'refused download links', faults: [{ route: 'download', status: 403, times: 100 }], message: /kept being refused, even after 2 fresh links$/ },
	{
		name: 'a download link that is not HTTPS',
		arrange: (emulator) => {
			emulator.advertisedDownloadOrigin = 'http://downloads.example.test';
		},
		message: /^Prolific handed out a download link that is not HTTPS$/,
	},
	{ name: 'an archive over Max Archive Size', options: { maxArchiveSizeMb: 0.01 }, message: /over the limit of 10 KiB$/ },
	{ name: 'a truncated archive', faults: [{ route: 'download', archive: 'truncated' }], message: /^The export archive could not be read as a ZIP file/ },
	{ name: 'a corrupt archive', faults: [{ route: 'download', archive: 'corrupt' }], message: /^The export archive is corrupt: / },
	{
		name: 'an unsafe entry name',
		arrange: (emulator) => ({
			batchId: serveArchive(emulator, recordsArchive({ files: { '../../.ssh/authorized_keys': 'x' } })),
		}),
		message: /^The export archive contains an unsafe entry name '\.\.\/\.\.\/\.ssh\/authorized_keys'/,
	},
	{
		name: 'malformed JSON',
		arrange: (emulator) => ({
			batchId: serveArchive(emulator, recordsArchive({ submissions: [{ submission_id: 's1', responses: {} }] }).fill(0x20, 60, 70)),
		}),
		message: /^The export archive is malformed: line 1 of responses-by-submission\.jsonl is not valid JSON|^The export archive is corrupt/,
	},
];

describe('failures of every kind, as error items (Continue On Fail) and as errors', { concurrency: 4 }, () => {
	for (const failure of FAILURES) {
		it(failure.name, async () => {
			for (const continueOnFail of [true, false]) {
				const emulator = await emulatorWith(failure.emulator);
				try {
					const extra = failure.arrange?.(emulator) ?? {};
					for (const fault of failure.faults ?? []) emulator.inject(fault);
					const run = await runExport(emulator, {
						batchId: BATCH_ID,
						token: failure.token ?? TOKEN,
						options: { timeout: 3, ...failure.options },
						run: { continueOnFail },
						...extra,
					});
					const secret = failure.token ?? TOKEN;
					if (continueOnFail) {
						assert.equal(run.status, 'success', run.error?.message);
						assert.equal(run.items.length, 1);
						const [item] = run.items;
						assert.deepEqual(Object.keys(item.json), ['error', 'description']);
						assert.match(String(item.json.error), failure.message);
						assert.equal(typeof item.json.description, 'string', 'every node error says what to do');
						if (failure.description) assert.match(String(item.json.description), failure.description);
						// Prolific's own words are quoted as they came (redacted); the rest is the node's.
						const own = JSON.stringify(item.json).replace(/Prolific says: \\".*\\"\. /s, '');
						assert.doesNotMatch(own, REQUEST_DETAILS, 'no request details in the error item');
						assert.deepEqual(item.binary, {});
						assert.equal(item.error, undefined);
					} else {
						assert.equal(run.status, 'error');
						assert.match(String(run.error?.message), failure.message);
						if (failure.description) assert.match(String(run.error?.description), failure.description);
					}
					assert.deepEqual(leaks(emulator, run, secret), []);
					assert.deepEqual(findSecret(run, TOKEN), [], 'not even the valid token of the credential');
				} finally {
					await emulator.close();
				}
			}
		});
	}
});

describe('redirects', () => {
	let emulator: ProlificEmulator;
	before(async () => {
		emulator = await emulatorWith();
	});
	after(async () => await emulator.close());

	for (const [route, status] of [
		['export.request', 302],
		['export.request', 307],
		['export.status', 301],
		['export.status', 308],
	] as const) {
		it(`an API answer ${status} to another origin (${route}) does not take the token along`, async () => {
			emulator.reset();
			emulator.inject({ route, status, headers: { location: `${emulator.downloadOrigin}/exports/elsewhere.zip?from=api` } });
			const run = await runExport(emulator, { batchId: BATCH_ID, token: TOKEN });
			const followed = emulator.requests.filter((request) => request.origin === 'download' && request.query.from === 'api');
			assert.equal(followed.length, 1, 'n8n followed the redirect');
			assert.equal(run.status, 'error');
			assert.deepEqual(credentialsAtDownload(emulator.requests, TOKEN), []);
			assert.deepEqual(leaks(emulator, run), []);
		});
	}

	it('a redirect within the API keeps the token and the export works', async () => {
		emulator.reset();
		const clean = await runExport(emulator, { batchId: BATCH_ID, token: TOKEN });
		emulator.reset();
		emulator.inject({ route: 'export.request', status: 307, headers: { location: `${emulator.apiUrl}${EXPORT}/` } });
		const run = await runExport(emulator, { batchId: BATCH_ID, token: TOKEN });
		assert.equal(run.status, 'success', run.error?.message);
		assert.deepStrictEqual(outputOf(run), outputOf(clean));
		const posts = emulator.requests.filter((request) => request.method === 'POST');
		assert.deepEqual(
			posts.map((request) => [request.path, request.headers.authorization]),
			[
				[EXPORT, `Token ${TOKEN}`],
				[`${EXPORT}/`, `Token ${TOKEN}`],
			],
		);
	});
});

describe('successful runs', () => {
	let emulator: ProlificEmulator;
	before(async () => {
		emulator = await emulatorWith({ behaviour: 'B' });
	});
	after(async () => await emulator.close());

	for (const output of ['submissions', 'tasks', 'rows', 'files', 'summary', 'archive'] as const) {
		it(`the ${output} output: items and requests are clean, the download carried no credentials`, async () => {
			emulator.reset();
			const run = await runExport(emulator, { batchId: BATCH_ID, token: TOKEN, output });
			assert.equal(run.status, 'success', run.error?.message);
			assert.ok(emulator.requests.some(isDownload));
			assert.deepEqual(leaks(emulator, run), []);
		});
	}

	it('the step-by-step operations: items and requests are clean', async () => {
		emulator.reset();
		const operation = async (name: string, parameters: IDataObject = {}) => {
			const run = await runExport(emulator, { batchId: BATCH_ID, token: TOKEN, parameters: { operation: name, ...parameters } });
			assert.equal(run.status, 'success', `${name}: ${run.error?.message}`);
			assert.deepEqual(leaks(emulator, run), [], name);
			return run;
		};
		const started = await operation('startExport');
		const exportId = String(started.items[0].json.export_id);
		await operation('getExportStatus', { exportId });
		const status = await operation('getExportStatus', { exportId });
		assert.equal(status.items[0].json.status, 'complete');
		await operation('downloadExport', { exportId, options: { deleteAfterDownload: false } });
		await operation('listExportJobs');
		await operation('deleteExportJob', { exportId });
		assert.ok(emulator.requests.some(isDownload));
	});
});

describe('fuzzed archives through the node', () => {
	const SEED = 0x5ec2e7;
	const CASES = 40;

	it(`${CASES} mutated archives (seed ${SEED}): only node errors, each saying what to do, and no token`, async () => {
		const emulator = await emulatorWith();
		try {
			const bases = await mutationBases();
			const outputs = ['submissions', 'tasks', 'rows', 'files', 'summary', 'archive'] as const;
			const items = [];
			for (let index = 0; index < CASES; index++) {
				const { zip } = mutatedArchive(SEED, index, bases);
				items.push({ json: { batch: serveArchive(emulator, zip), output: outputs[index % outputs.length] } });
			}
			// One execution, one input item per archive: every failure becomes an error item.
			const run = await runExport(emulator, {
				token: TOKEN,
				parameters: {
					batch: { __rl: true, mode: 'id', value: '={{ $json.batch }}' },
					output: '={{ $json.output }}',
				},
				inputItems: items,
				run: { continueOnFail: true },
			});
			assert.equal(run.status, 'success', run.error?.message);
			const errors = run.items.filter((item) => 'error' in item.json);
			assert.ok(errors.length > 0 && errors.length < CASES, `${errors.length} of ${CASES} failed`);
			for (const item of errors) {
				assert.deepEqual(Object.keys(item.json), ['error', 'description']);
				assert.match(String(item.json.error), /^The export archive /, 'an ArchiveError, not a crash');
				assert.equal(typeof item.json.description, 'string');
			}
			assert.deepEqual(leaks(emulator, run), []);
		} finally {
			await emulator.close();
		}
	});
});

describe('the sample archives themselves', () => {
	it('hold no token, so a token found above could only have come from the node', async () => {
		for (const archive of [await buildArchive(sampleBatch), mutateArchive.truncate(await buildArchive(sampleBatch), 0.5)]) {
			assert.equal(archive.includes(TOKEN), false);
		}
	});
});
