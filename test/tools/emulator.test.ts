/* eslint-disable @typescript-eslint/no-explicit-any -- the emulator's JSON answers, probed field by field */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import JSZip from 'jszip';
import { buildArchive, buildRawZip, inflateBomb, mutateArchive, ProlificEmulator } from '../emulator';
import { otherBatch, processingBatch, sampleBatch, sampleBatches, sampleWorkspaces } from '../fixtures/sample-batch';
import { EXPORT_PATH } from '../support/requests';

const BATCH = sampleBatch.batch_id;
const exportPath = (batchId = BATCH) => EXPORT_PATH(batchId);

let emu: ProlificEmulator;

before(async () => {
	emu = await ProlificEmulator.start();
	sampleWorkspaces.forEach((w) => emu.addWorkspace(w));
	sampleBatches.forEach((b) => emu.addBatch(b));
});
after(() => emu.close());
beforeEach(() => {
	emu.reset();
	emu.behaviour = 'A';
	emu.pollsUntilComplete = 2;
});

function api(path: string, init: RequestInit = {}): Promise<Response> {
	return fetch(emu.apiUrl + path, { ...init, headers: { authorization: `Token ${emu.token}`, ...init.headers } });
}

async function body(res: Response): Promise<any> {
	assert.match(res.headers.get('content-type') ?? '', /application\/json/);
	return res.json();
}

/** POST an export, then poll until complete; the complete answer. */
async function exportToCompletion(batchId = BATCH, query = ''): Promise<{ export_id: string; url: string; expires_at: string }> {
	const started = await body(await api(exportPath(batchId) + query, { method: 'POST' }));
	for (;;) {
		const status = await body(await api(`${exportPath(batchId)}/${started.export_id}`));
		if (status.status === 'complete') return { export_id: started.export_id, ...status };
		assert.equal(status.status, 'generating');
	}
}

describe('API origin', () => {
	it('requires a valid token and answers 401 with the error envelope', async () => {
		for (const authorization of [undefined, 'Token wrong', `Bearer ${emu.token}`]) {
			const res = await fetch(`${emu.apiUrl}/api/v1/users/me/`, { headers: authorization ? { authorization } : {} });
			assert.equal(res.status, 401);
			assert.deepEqual(await body(res), {
				error: { status: 401, error_code: 140101, title: 'Not authenticated', detail: 'Invalid token.' },
			});
		}
		assert.equal(emu.requests.length, 3);
		assert.equal(emu.requests[1].headers.authorization, 'Token wrong');
		assert.equal((await api('/api/v1/users/me')).status, 200); // trailing slash optional
	});

	it('lists workspaces with limit/offset and batches per workspace', async () => {
		const page = await body(await api('/api/v1/workspaces/?limit=1&offset=1'));
		assert.deepEqual(page.results.map((w: { id: string }) => w.id), [sampleWorkspaces[1].id]);
		assert.equal(page.meta.count, 2);

		assert.equal((await api('/api/v1/data-collection/batches')).status, 400);
		const first = await body(await api(`/api/v1/data-collection/batches?workspace_id=${sampleWorkspaces[0].id}`));
		assert.deepEqual(first.results.map((b: { id: string }) => b.id), [BATCH, processingBatch.batch_id]);
		assert.equal(first.results[1].status, 'PROCESSING');
		assert.equal(first.results[0].total_task_count, 4);
		const second = await body(await api(`/api/v1/data-collection/batches/?workspace_id=${sampleWorkspaces[1].id}`));
		assert.deepEqual(second.results.map((b: { id: string }) => b.id), [otherBatch.batch_id]);
	});

	it('answers 404 for an unknown batch and 403 for a batch outside the user’s workspaces', async () => {
		assert.equal((await api('/api/v1/data-collection/batches/nope')).status, 404);
		const hidden = { ...otherBatch, batch_id: 'a0000000-0000-4000-8000-000000000403' };
		emu.addBatch(hidden, undefined, { forbidden: true });
		const res = await api(exportPath(hidden.batch_id), { method: 'POST' });
		assert.equal(res.status, 403);
		assert.equal((await body(res)).error.detail, "You do not have access to this batch's workspace.");
	});
});

describe('export, behaviour A', () => {
	it('generates, completes after the polls, downloads the built archive, then answers 200 complete', async () => {
		const post = await api(exportPath(), { method: 'POST' });
		assert.equal(post.status, 202);
		const { status, export_id } = await body(post);
		assert.equal(status, 'generating');
		// Idempotent while generating.
		assert.deepEqual(await body(await api(exportPath(), { method: 'POST' })), { status: 'generating', export_id });

		for (let i = 0; i < 2; i++) assert.equal((await body(await api(`${exportPath()}/${export_id}`))).status, 'generating');
		const done = await body(await api(`${exportPath()}/${export_id}/`));
		assert.equal(done.status, 'complete');
		assert.match(done.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
		assert.ok(done.url.startsWith(`${emu.downloadOrigin}/exports/`));
		assert.notEqual(emu.downloadOrigin, emu.apiUrl);

		const download = await fetch(done.url);
		assert.equal(download.status, 200);
		assert.equal(download.headers.get('content-type'), 'application/zip');
		const bytes = Buffer.from(await download.arrayBuffer());
		assert.equal(download.headers.get('content-length'), String(bytes.length));
		assert.ok(bytes.equals(await buildArchive(sampleBatch)));

		const again = await api(exportPath(), { method: 'POST' });
		assert.equal(again.status, 200);
		assert.deepEqual(await body(again), { status: 'complete', url: done.url, expires_at: done.expires_at });
		assert.equal(emu.jobs(BATCH).length, 1);
		assert.equal(emu.jobs(BATCH)[0].polls, 3);
	});

	it('has no job list or delete', async () => {
		assert.equal((await api(exportPath())).status, 405);
		assert.equal((await api(`${exportPath()}/x`, { method: 'DELETE' })).status, 405);
	});
});

describe('export, behaviour B', () => {
	beforeEach(() => (emu.behaviour = 'B'));

	it('starts a job per filter, reuses only a running job with the same filter, lists newest first, deletes', async () => {
		const post = (query = '') => api(exportPath() + query, { method: 'POST' }).then(body);
		const plain = await post();
		assert.equal((await post()).export_id, plain.export_id);
		const dated = await post('?from=2026-03-19T12:00:00Z');
		const study = await post('?study_id=abc');
		assert.equal(new Set([plain.export_id, dated.export_id, study.export_id]).size, 3);

		const list = await body(await api(exportPath()));
		assert.deepEqual(
			list.results.map((j: { export_id: string; filter: unknown }) => [j.export_id, j.filter]),
			[
				[study.export_id, { study_id: 'abc' }],
				[dated.export_id, { from: '2026-03-19T12:00:00Z' }],
				[plain.export_id, null],
			],
		);

		assert.equal((await api(`${exportPath()}/${plain.export_id}`, { method: 'DELETE' })).status, 409);
		for (let i = 0; i < 3; i++) await api(`${exportPath()}/${plain.export_id}`);
		assert.notEqual((await post()).export_id, plain.export_id); // complete jobs are never reused
		assert.equal((await api(`${exportPath()}/${plain.export_id}`, { method: 'DELETE' })).status, 204);
		assert.equal((await api(`${exportPath()}/${plain.export_id}`, { method: 'DELETE' })).status, 404);
		assert.ok(!emu.jobs(BATCH).some((j) => j.export_id === plain.export_id));
	});

	it('filters the archive by created_at', async () => {
		const { url } = await exportToCompletion(BATCH, '?from=2026-03-19T12:00:00Z');
		const zip = await JSZip.loadAsync(await (await fetch(url)).arrayBuffer());
		const lines = (await zip.file('responses-by-submission.jsonl')!.async('string')).trim().split('\n');
		assert.equal(lines.length, 3);
		assert.ok(Object.keys(zip.files).every((n) => !n.includes('67da1b2c3d4e5f6a7b8c9d01')));
	});

	it('refuses the 11th job with the export limit error', async () => {
		for (let i = 0; i < 10; i++) assert.equal((await api(`${exportPath()}?study_id=s${i}`, { method: 'POST' })).status, 202);
		const res = await api(`${exportPath()}?study_id=s10`, { method: 'POST' });
		assert.equal(res.status, 400);
		const { error } = await body(res);
		assert.equal(error.title, 'Export limit reached');
		assert.equal(error.detail, 'This batch already has 10 export jobs. Delete an existing export job before requesting a new one.');
	});
});

describe('download origin', () => {
	it('rejects a request carrying Authorization with 400 and records it', async () => {
		const { url } = await exportToCompletion();
		const res = await fetch(url, { headers: { authorization: `Token ${emu.token}` } });
		assert.equal(res.status, 400);
		assert.match(await res.text(), /<Code>InvalidArgument<\/Code>.*Only one auth mechanism allowed/);
		const recorded = emu.requests.at(-1)!;
		assert.equal(recorded.origin, 'download');
		assert.equal(recorded.headers.authorization, `Token ${emu.token}`);
		assert.equal(recorded.query['X-Amz-Signature'], new URL(url).searchParams.get('X-Amz-Signature'));
	});

	it('answers 403 to a wrong signature and to an expired URL; the next poll hands out a fresh one', async () => {
		const { url, export_id } = await exportToCompletion();
		const forged = new URL(url);
		forged.searchParams.set('expires', String(Date.now() + 86_400_000));
		assert.equal((await fetch(forged)).status, 403);

		emu.inject({ route: 'export.status', expireUrl: true });
		const stale = await body(await api(`${exportPath()}/${export_id}`));
		assert.ok(Date.parse(stale.expires_at) < Date.now());
		const expired = await fetch(stale.url);
		assert.equal(expired.status, 403);
		assert.match(await expired.text(), /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);

		const fresh = await body(await api(`${exportPath()}/${export_id}`));
		assert.equal((await fetch(fresh.url, { method: 'HEAD' })).status, 200);
	});
	it('serves an archive from disk as it is (exports larger than a Buffer): whole, to HEAD, and cut by a reset', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'emulator-file-'));
		try {
			const bytes = await buildArchive(sampleBatch);
			const path = join(dir, 'export.zip');
			writeFileSync(path, bytes);
			const batchId = 'file-backed-batch';
			emu.addBatch({ ...sampleBatch, batch_id: batchId }, { path, size: bytes.length });
			const { url } = await exportToCompletion(batchId);
			const head = await fetch(url, { method: 'HEAD' });
			assert.equal(head.headers.get('content-length'), String(bytes.length));
			assert.ok(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(bytes));
			emu.inject({ route: 'download', reset: 'mid-body' });
			await assert.rejects((await fetch(url)).arrayBuffer());
			emu.inject({ route: 'download', archive: 'truncated' });
			assert.equal((await fetch(url)).status, 500, 'a fault that changes the bytes needs the archive in memory');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('the storage host: ranges and bandwidth', () => {
	afterEach(() => {
		emu.servesRanges = true;
		emu.downloadBytesPerSecond = 0;
	});

	it("answers a Range request as S3 does (206 and Content-Range, 416 past the end), from memory and from disk", async () => {
		const bytes = await buildArchive(sampleBatch);
		const dir = mkdtempSync(join(tmpdir(), 'emulator-range-'));
		try {
			writeFileSync(join(dir, 'export.zip'), bytes);
			emu.addBatch({ ...sampleBatch, batch_id: 'range-from-disk' }, { path: join(dir, 'export.zip'), size: bytes.length });
			for (const batchId of [BATCH, 'range-from-disk']) {
				const { url } = await exportToCompletion(batchId);
				const part = async (range: string) => await fetch(url, { headers: { range } });
				const tail = await part('bytes=-100');
				assert.equal(tail.status, 206);
				assert.equal(tail.headers.get('content-range'), `bytes ${bytes.length - 100}-${bytes.length - 1}/${bytes.length}`);
				assert.ok(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(-100)));
				const middle = await part('bytes=10-19');
				assert.ok(Buffer.from(await middle.arrayBuffer()).equals(bytes.subarray(10, 20)));
				const rest = await part(`bytes=${bytes.length - 5}-`);
				assert.ok(Buffer.from(await rest.arrayBuffer()).equals(bytes.subarray(-5)));
				const past = await part(`bytes=${bytes.length}-`);
				assert.equal(past.status, 416);
				assert.equal(past.headers.get('content-range'), `bytes */${bytes.length}`);
			}
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('ignores ranges when told to, sending the whole archive', async () => {
		emu.servesRanges = false;
		const { url } = await exportToCompletion(BATCH);
		const res = await fetch(url, { headers: { range: 'bytes=0-9' } });
		assert.equal(res.status, 200);
		assert.ok(Buffer.from(await res.arrayBuffer()).equals(await buildArchive(sampleBatch)));
	});

	it('sends a download no faster than its bandwidth', async () => {
		const bytes = await buildArchive(sampleBatch);
		emu.downloadBytesPerSecond = bytes.length * 4; // a quarter of a second for the archive
		const { url } = await exportToCompletion(BATCH);
		const started = performance.now();
		assert.ok(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(bytes));
		assert.ok(performance.now() - started >= 200, `${performance.now() - started} ms`);
	});
});

describe('faults', () => {
	it('answers 429 with Retry-After the given number of times', async () => {
		emu.inject({ route: 'me', status: 429, retryAfter: 7, times: 2 });
		for (let i = 0; i < 2; i++) {
			const res = await api('/api/v1/users/me/');
			assert.equal(res.status, 429);
			assert.equal(res.headers.get('retry-after'), '7');
			assert.equal((await body(res)).error.status, 429);
		}
		assert.equal((await api('/api/v1/users/me/')).status, 200);
	});

	it('scopes a fault to its batch and serves a string body as HTML', async () => {
		emu.inject({ route: 'export.request', batchId: BATCH, status: 502, body: '<html>Bad gateway</html>' });
		assert.equal((await api(exportPath(otherBatch.batch_id), { method: 'POST' })).status, 202);
		const res = await api(exportPath(), { method: 'POST' });
		assert.equal(res.status, 502);
		assert.match(res.headers.get('content-type')!, /text\/html/);
	});

	it('resets the connection before the headers and in the middle of the body', async () => {
		emu.inject({ route: 'me', reset: 'before-headers' });
		await assert.rejects(api('/api/v1/users/me/'));
		const { url } = await exportToCompletion();
		emu.inject({ route: 'download', reset: 'mid-body' });
		const res = await fetch(url);
		assert.equal(res.status, 200);
		await assert.rejects(res.arrayBuffer());
		assert.equal((await fetch(url)).status, 200);
	});

	it('delays a response', async () => {
		emu.inject({ route: 'workspaces', delayMs: 300 });
		const started = Date.now();
		assert.equal((await api('/api/v1/workspaces/')).status, 200);
		assert.ok(Date.now() - started >= 290);
	});

	it('fails an export job; the next POST starts a new one', async () => {
		const { export_id } = await body(await api(exportPath(), { method: 'POST' }));
		emu.inject({ route: 'export.status', exportFailed: true });
		assert.deepEqual(await body(await api(`${exportPath()}/${export_id}`)), { status: 'failed' });
		assert.equal(emu.jobs(BATCH)[0].status, 'failed');
		const retry = await body(await api(exportPath(), { method: 'POST' }));
		assert.notEqual(retry.export_id, export_id);
	});

	it('serves a truncated or corrupt archive instead of the real one', async () => {
		const { url } = await exportToCompletion();
		const real = await buildArchive(sampleBatch);
		emu.inject({ route: 'download', archive: 'truncated' });
		const head = await fetch(url, { method: 'HEAD' }); // peeks: the GET below still gets the truncated archive
		assert.equal(head.headers.get('content-length'), String(Math.floor(real.length / 2)));
		const truncated = Buffer.from(await (await fetch(url)).arrayBuffer());
		assert.ok(truncated.length < real.length && real.subarray(0, truncated.length).equals(truncated));
		await assert.rejects(JSZip.loadAsync(truncated));

		emu.inject({ route: 'download', archive: 'corrupt' });
		const corrupt = await JSZip.loadAsync(await (await fetch(url)).arrayBuffer());
		await assert.rejects(corrupt.file('responses-by-submission.jsonl')!.async('string'));
		assert.ok(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(real));
	});
});

describe('archive builder', () => {
	const records = (text: string) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line));

	it('writes exactly the documented entries, files only when there are uploads', async () => {
		const zip = await JSZip.loadAsync(await buildArchive(sampleBatch));
		const names = Object.keys(zip.files);
		const documented = ['responses-by-submission.jsonl', 'responses-by-task.jsonl', 'batch.json', 'README.md'];
		assert.deepEqual(names.filter((n) => !n.startsWith('files/')), documented);
		const paths = records(await zip.file('responses-by-submission.jsonl')!.async('string')).flatMap((s) =>
			Object.values(s.responses).flatMap((task: any) => Object.values(task).flatMap((r: any) => r.files?.map((f: any) => f.path) ?? [])),
		);
		assert.deepEqual(names.filter((n) => n.startsWith('files/')).sort(), paths.sort());
		assert.ok(names.includes(`files/67da1b2c3d4e5f6a7b8c9d03_0195b2c4-7e10-7a3b-8c4d-1e2f3a4b5c06_1.jpg`));

		const batch = JSON.parse(await zip.file('batch.json')!.async('string'));
		assert.deepEqual(Object.keys(batch), ['batch_id', 'name', 'exported_at', 'instructions']);
		assert.ok(batch.instructions.some((i: { type: string }) => i.type === 'rank_order'));

		const other = await JSZip.loadAsync(await buildArchive(otherBatch));
		assert.deepEqual(Object.keys(other.files), documented);
	});

	it('derives responses-by-task from the same submissions', async () => {
		const zip = await JSZip.loadAsync(await buildArchive(sampleBatch));
		const bySubmission = records(await zip.file('responses-by-submission.jsonl')!.async('string'));
		const byTask = records(await zip.file('responses-by-task.jsonl')!.async('string'));
		assert.equal(byTask.length, 4);
		const regrouped = byTask.flatMap((task) =>
			task.responses.map(({ submission_id, participant_id, created_at, ...answers }: any) => ({
				task: task.task_id,
				submission_id,
				participant_id,
				created_at,
				answers,
			})),
		);
		const original = bySubmission.flatMap((s) =>
			Object.entries(s.responses).map(([task, answers]) => {
				const { submission_id, participant_id, created_at } = s;
				return { task, submission_id, participant_id, created_at, answers };
			}),
		);
		const key = (r: { task: string; submission_id: string }) => r.task + r.submission_id;
		assert.deepEqual(regrouped.sort((a, b) => key(a).localeCompare(key(b))), original.sort((a, b) => key(a).localeCompare(key(b))));
	});

	it('changes the bytes for crlf, bom, blank lines, omit and extra entries', async () => {
		const read = async (opts: Parameters<typeof buildArchive>[1]) =>
			JSZip.loadAsync(await buildArchive(otherBatch, opts)).then((z) => z.file('responses-by-submission.jsonl')!.async('nodebuffer'));
		const plain = await read({});
		const crlf = await read({ crlf: true });
		const bom = await read({ bom: true });
		assert.ok(!plain.includes('\r\n') && crlf.includes('\r\n'));
		assert.ok(bom.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) && bom.subarray(3).equals(plain));
		assert.ok((await read({ trailingBlankLines: 2 })).toString().endsWith('}\n\n\n'));

		const zip = await JSZip.loadAsync(await buildArchive(otherBatch, { omit: ['README.md'], extraEntries: { 'notes.txt': 'hi' } }));
		assert.deepEqual(Object.keys(zip.files), ['responses-by-submission.jsonl', 'responses-by-task.jsonl', 'batch.json', 'notes.txt']);
	});
});

describe('hostile archives', () => {
	it('writes names JSZip would normalise, keeping the original for the reader to see', async () => {
		const zip = await JSZip.loadAsync(
			buildRawZip([
				{ name: '../evil.txt', data: Buffer.from('evil') },
				{ name: '/abs.txt', data: Buffer.from('abs'), compression: 'STORE' },
			]),
		);
		// JSZip resolves "../" on load and keeps the raw name in unsafeOriginalName.
		assert.equal(zip.files['evil.txt'].unsafeOriginalName, '../evil.txt');
		assert.equal(await zip.files['evil.txt'].async('string'), 'evil');
		assert.equal(await zip.files['/abs.txt'].async('string'), 'abs');
	});

	it('lies about sizes', async () => {
		const zip = await JSZip.loadAsync(buildRawZip([{ name: 'files/a.txt', data: Buffer.from('hello world'), declaredSize: 3 }]));
		await assert.rejects(zip.files['files/a.txt'].async('string'));
	});

	it('builds a 64 MiB inflate bomb under 1 MiB', async () => {
		const bomb = await inflateBomb(64 << 20);
		assert.ok(bomb.length < 1 << 20);
		assert.equal(bomb.readUInt32LE(22), 64 << 20); // uncompressed size in the local header
		assert.ok(mutateArchive.truncate(bomb, 0.5).length < bomb.length);
	});
});

describe('cli', () => {
	it('prints the emulator’s address and stops on SIGTERM', async () => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'test/emulator/cli.ts', '--behaviour', 'B', '--polls', '0'], {
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		const [line] = (await once(child.stdout, 'data')) as [Buffer];
		const info = JSON.parse(line.toString());
		assert.equal(info.batches.length, 3);
		const res = await fetch(`${info.apiUrl}/api/v1/users/me/`, { headers: { authorization: `Token ${info.token}` } });
		assert.equal(res.status, 200);
		child.kill('SIGTERM');
		assert.deepEqual(await once(child, 'exit'), [0, null]);
	});

	it('--help lists the options; a wrong option is one line and exit status 2', async () => {
		const run = async (...args: string[]) => {
			const child = spawn(process.execPath, ['--import', 'tsx', 'test/emulator/cli.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
			child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
			const [code] = (await once(child, 'exit')) as [number];
			return { code, stdout, stderr };
		};
		const help = await run('--help');
		assert.equal(help.code, 0);
		for (const option of ['--port', '--download-port', '--behaviour A|B', '--polls', '--report']) assert.ok(help.stdout.includes(option), option);
		for (const [args, message] of [
			[['--nope'], "Unknown option '--nope'"],
			[['--behaviour', 'C'], '--behaviour must be A or B'],
			[['--report', 'pdf'], '--report must be html, json, ragged, empty or none'],
		] as const) {
			const wrong = await run(...args);
			assert.equal(wrong.code, 2, args.join(' '));
			assert.equal(wrong.stderr, `${message}\nRun \`npm run emulator -- --help\` for the options.\n`);
		}
	});
});
