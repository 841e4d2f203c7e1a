import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { harnessDir, loadOptions, runNode, testCredential } from '../harness';

import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type {
	IDataObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodeListSearchResult,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, sleep } from 'n8n-workflow';

const GOOD_TOKEN = 'good-token';
const NOT_AUTHENTICATED = {
	error: { status: 401, error_code: 140101, title: 'Not authenticated', detail: 'Invalid token.' },
};

// A stand-in for Prolific: /echo reflects the request; every other path wants the good token.
let server: Server;
let baseUrl: string;
const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];

before(async () => {
	server = createServer((req, res) => {
		seen.push({ url: req.url ?? '', headers: req.headers });
		const send = (status: number, body: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
		};
		if (req.url === '/echo') return send(200, { headers: req.headers });
		if (req.headers.authorization !== `Token ${GOOD_TOKEN}`) return send(401, NOT_AUTHENTICATED);
		if (req.url === '/api/v1/users/me/') return send(200, { id: 'researcher-1' });
		if (req.url?.startsWith('/api/v1/batches/')) {
			return send(200, { results: [{ id: 'b1', name: 'First batch' }, { id: 'b2', name: 'Second' }] });
		}
		send(404, {});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
	server.closeAllConnections();
	server.close();
});

const credentials = () => ({ prolificApi: { apiToken: GOOD_TOKEN, baseUrl } });

function description(name: string, extra: Partial<INodeTypeDescription> = {}): INodeTypeDescription {
	return {
		displayName: name,
		name,
		group: ['transform'],
		version: 1,
		description: `Harness test node ${name}`,
		defaults: { name },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
		...extra,
	};
}

/** Calls `path` on the server with the Prolific credential, once per item. */
class AuthedRequest implements INodeType {
	description = description('authedRequest', {
		credentials: [{ name: 'prolificApi', required: true }],
		properties: [{ displayName: 'Path', name: 'path', type: 'string', default: '/echo' }],
	});

	methods = {
		listSearch: {
			async searchBatches(
				this: ILoadOptionsFunctions,
				filter?: string,
			): Promise<INodeListSearchResult> {
				const { baseUrl: url } = await this.getCredentials<{ baseUrl: string }>('prolificApi');
				const response = (await this.helpers.httpRequestWithAuthentication.call(
					this,
					'prolificApi',
					{ url: `${url}/api/v1/batches/`, json: true },
				)) as { results: Array<{ id: string; name: string }> };
				return {
					results: response.results
						.filter((batch) => !filter || batch.name.includes(filter))
						.map((batch) => ({ name: batch.name, value: batch.id })),
				};
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < this.getInputData().length; i++) {
			try {
				const response = (await this.helpers.httpRequestWithAuthentication.call(this, 'prolificApi', {
					url: `${baseUrl}${this.getNodeParameter('path', i) as string}`,
					json: true,
				})) as IDataObject;
				out.push({ json: response, pairedItem: { item: i } });
			} catch (error) {
				if (!this.continueOnFail()) throw error;
				out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
			}
		}
		return [out];
	}
}

/** Stores a binary per item, named by an expression and a resource locator, and adds a hint. */
class MakeBinary implements INodeType {
	description = description('makeBinary', {
		properties: [
			{ displayName: 'File Name', name: 'fileName', type: 'string', default: '' },
			{
				displayName: 'Batch',
				name: 'batch',
				type: 'resourceLocator',
				default: { mode: 'id', value: '' },
				modes: [{ displayName: 'ID', name: 'id', type: 'string' }],
			},
		],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < this.getInputData().length; i++) {
			const fileName = this.getNodeParameter('fileName', i) as string;
			const batch = this.getNodeParameter('batch', i, '', { extractValue: true }) as string;
			const data = await this.helpers.prepareBinaryData(Buffer.from('hello'), fileName);
			out.push({
				json: { fileName, batch, timezone: this.getTimezone() },
				binary: { data },
				pairedItem: { item: i },
			});
		}
		this.addExecutionHints({ message: 'made binaries', location: 'outputPane' });
		return [out];
	}
}

class Sleeper implements INodeType {
	description = description('sleeper');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		await sleep(60_000, this.getExecutionCancelSignal());
		return [this.getInputData()];
	}
}

describe('runNode', () => {
	it('authenticates requests with the credential’s generic header', async () => {
		const result = await runNode({
			nodeType: new AuthedRequest(),
			parameters: { path: '/echo' },
			credentials: credentials(),
		});

		assert.equal(result.status, 'success', result.error?.message);
		assert.equal(result.items.length, 1);
		const headers = result.items[0].json.headers as IDataObject;
		assert.equal(headers.authorization, `Token ${GOOD_TOKEN}`);
		assert.deepEqual(result.items[0].pairedItem, { item: 0 });
	});

	it('fails like n8n when the API refuses the token', async () => {
		const result = await runNode({
			nodeType: new AuthedRequest(),
			parameters: { path: '/api/v1/users/me/' },
			credentials: { prolificApi: { apiToken: 'wrong', baseUrl } },
		});

		assert.equal(result.status, 'error');
		assert.equal(result.items.length, 0);
		assert.equal(result.error?.name, 'NodeApiError');
		assert.equal(result.error?.message, 'Authorization failed - please check your credentials');
		assert.equal(result.error?.description, 'Request failed with status code 401');
		assert.equal(result.error?.httpCode, '401');
	});

	it('turns a failure into an error item when the node continues on fail', async () => {
		const result = await runNode({
			nodeType: new AuthedRequest(),
			parameters: { path: '/api/v1/users/me/' },
			credentials: { prolificApi: { apiToken: 'wrong', baseUrl } },
			continueOnFail: true,
		});

		assert.equal(result.status, 'success');
		assert.equal(result.items.length, 1);
		assert.equal(result.items[0].json.error, 'Authorization failed - please check your credentials');
		assert.deepEqual(result.items[0].pairedItem, { item: 0 });
	});

	it('reports a missing credential as n8n does', async () => {
		const result = await runNode({ nodeType: new AuthedRequest(), parameters: { path: '/echo' } });

		assert.equal(result.status, 'error');
		assert.match(result.error?.message ?? '', /credentials/i);
	});

	it('resolves expressions per item and stores binaries on disk', async () => {
		const result = await runNode({
			nodeType: new MakeBinary(),
			typeName: 'harness.makeBinary',
			parameters: {
				fileName: '={{ $json.name }}.txt',
				batch: { __rl: true, mode: 'id', value: '={{ $json.batch }}' },
			},
			inputItems: [{ json: { name: 'a', batch: 'b1' } }, { json: { name: 'b', batch: 'b2' } }],
			timezone: 'Europe/London',
		});

		assert.equal(result.status, 'success', result.error?.message);
		assert.deepEqual(
			result.items.map(({ json }) => json),
			[
				{ fileName: 'a.txt', batch: 'b1', timezone: 'Europe/London' },
				{ fileName: 'b.txt', batch: 'b2', timezone: 'Europe/London' },
			],
		);
		assert.deepEqual(
			result.items.map(({ pairedItem }) => pairedItem),
			[{ item: 0 }, { item: 1 }],
		);
		const { data } = result.items[1].binary;
		assert.equal(data.bytes.toString(), 'hello');
		assert.equal(data.fileName, 'b.txt');
		assert.equal(data.mimeType, 'text/plain');
		assert.match(data.id ?? '', /^filesystem/);
		const path = Container.get(BinaryDataService).getPath(data.id ?? '');
		assert.ok(path.startsWith(harnessDir()), path);
		assert.ok(existsSync(path), path);
		assert.deepEqual(result.hints, [{ message: 'made binaries', location: 'outputPane' }]);
	});

	it('cancels a running node through its execution cancel signal', { timeout: 5_000 }, async () => {
		const result = await runNode({
			nodeType: new Sleeper(),
			typeName: 'harness.sleeper',
			parameters: {},
			cancelAfterMs: 200,
		});

		assert.equal(result.status, 'canceled');
		assert.ok(result.durationMs < 1_000, `took ${result.durationMs} ms`);
	});

	it('cancels when the caller’s signal aborts', { timeout: 5_000 }, async () => {
		const result = await runNode({
			nodeType: new Sleeper(),
			typeName: 'harness.sleeper',
			parameters: {},
			signal: AbortSignal.timeout(100),
		});

		assert.equal(result.status, 'canceled');
		assert.ok(result.durationMs < 1_000, `took ${result.durationMs} ms`);
	});
});

describe('testCredential', () => {
	it('succeeds with a valid token, trailing slash on the base URL or not', async () => {
		assert.deepEqual(await testCredential({ apiToken: GOOD_TOKEN, baseUrl: `${baseUrl}/` }), {
			status: 'OK',
			message: 'Connection successful!',
		});
		assert.equal(seen.at(-1)?.url, '/api/v1/users/me/');
		assert.equal(seen.at(-1)?.headers.authorization, `Token ${GOOD_TOKEN}`);
	});

	it('fails with the status text the server answered a wrong token with', async () => {
		// n8n's CredentialsTester reports the credential's rule for the status, else its status text.
		assert.deepEqual(await testCredential({ apiToken: 'wrong', baseUrl }), {
			status: 'Error',
			message: 'Invalid token: Prolific rejected it. Copy a current token from Prolific (Settings > API Tokens).',
		});
		assert.equal(seen.at(-1)?.headers.authorization, 'Token wrong');
	});

	it('reports an unreachable server by its error code', async () => {
		assert.deepEqual(await testCredential({ apiToken: GOOD_TOKEN, baseUrl: 'http://127.0.0.1:1' }), {
			status: 'Error',
			message: 'ECONNREFUSED',
		});
	});
});

describe('loadOptions', () => {
	it('runs a listSearch method with the credential', async () => {
		const result = await loadOptions({
			nodeType: new AuthedRequest(),
			method: 'listSearch',
			name: 'searchBatches',
			filter: 'First',
			credentials: credentials(),
		});

		assert.deepEqual(result, { results: [{ name: 'First batch', value: 'b1' }] });
	});
});
