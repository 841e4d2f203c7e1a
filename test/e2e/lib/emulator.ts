import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ProlificEmulator, type EmulatorOptions } from '../../emulator';
import { sampleBatches, sampleWorkspaces } from '../../fixtures/sample-batch';

/** The Prolific emulator on 127.0.0.1 with the sample workspaces and batches, served from this (test) process. */
export async function startSampleEmulator(options: EmulatorOptions = {}): Promise<ProlificEmulator> {
	const emulator = await ProlificEmulator.start({ pollsUntilComplete: 1, ...options });
	sampleWorkspaces.forEach((w) => emulator.addWorkspace(w));
	sampleBatches.forEach((b) => emulator.addBatch(b));
	return emulator;
}

/**
 * The archive bytes the emulator serves for a batch, fetched the way a client does (request,
 * poll, presigned download), to compare with what n8n stored. Behaviour A hands back the same
 * complete export, so these are the very bytes n8n downloaded.
 */
export async function fetchArchive(emulator: ProlificEmulator, batchId: string): Promise<Buffer> {
	const headers = { authorization: `Token ${emulator.token}`, accept: 'application/json' };
	const exportUrl = `${emulator.apiUrl}/api/v1/data-collection/batches/${batchId}/export`;
	let job = (await (await fetch(exportUrl, { method: 'POST', headers })).json()) as { status: string; export_id?: string; url?: string };
	for (let i = 0; job.status !== 'complete' && i < 50; i++) {
		if (job.status === 'failed') throw new Error('export failed');
		job = (await (await fetch(`${exportUrl}/${job.export_id}`, { headers })).json()) as typeof job;
	}
	if (!job.url) throw new Error(`no download link: ${JSON.stringify(job)}`);
	const response = await fetch(job.url);
	if (!response.ok) throw new Error(`download: HTTP ${response.status}`);
	return Buffer.from(await response.arrayBuffer());
}

export interface Caught {
	method: string;
	path: string;
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	body: Buffer;
}

/** A local HTTP catcher standing in for Google Sheets, Slack or a storage service: records every request, answers 200 {"ok":true}. */
export class Catcher {
	readonly requests: Caught[] = [];
	private constructor(private readonly server: Server) {}

	static async start(): Promise<Catcher> {
		const server = createServer();
		const catcher = new Catcher(server);
		server.on('request', (req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				const url = new URL(req.url ?? '/', 'http://catcher');
				catcher.requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks) });
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end('{"ok":true}');
			});
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => resolve());
		});
		return catcher;
	}

	get url(): string {
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	clear(): void {
		this.requests.length = 0;
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise((resolve) => this.server.close(resolve));
	}
}
