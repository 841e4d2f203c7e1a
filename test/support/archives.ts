import { randomUUID } from 'node:crypto';

import JSZip from 'jszip';

import type { BatchSpec, ProlificEmulator, RawZipEntry } from '../emulator';
import { buildRawZip } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import type { RunResult } from '../harness';

/**
 * Registers a fresh batch (a new UUID, the sample's workspace) whose download serves `archive`
 * as is, so each test gets its own export and nothing leaks between tests. Returns its ID.
 */
export function serveArchive(emulator: ProlificEmulator, archive: Buffer, spec: Partial<BatchSpec> = {}): string {
	const batchId = randomUUID();
	emulator.addBatch({ ...sampleBatch, ...spec, batch_id: batchId }, archive);
	return batchId;
}

/** The entries of a ZIP the builder wrote, name -> bytes, in archive order. */
export async function entriesOf(zip: Buffer): Promise<Map<string, Buffer>> {
	const loaded = await JSZip.loadAsync(zip);
	const entries = new Map<string, Buffer>();
	for (const name of Object.keys(loaded.files)) {
		entries.set(name, await loaded.files[name].async('nodebuffer'));
	}
	return entries;
}

/** An archive's entries as buildRawZip entries, to mix with hostile ones. */
export async function rawEntriesOf(zip: Buffer): Promise<RawZipEntry[]> {
	return [...(await entriesOf(zip))].map(([name, data]) => ({ name, data }));
}

export interface ExportRecords {
	submissions?: unknown[];
	tasks?: unknown[];
	/** batch.json; left out when absent */
	batch?: unknown;
	/** archive path -> bytes */
	files?: Record<string, Buffer | string>;
}

/** JSON Lines as Prolific writes them: one record per line, LF, a final newline. */
export function jsonl(records: unknown[]): string {
	return records.map((record) => JSON.stringify(record) + '\n').join('');
}

/**
 * An export archive written from raw records, for shapes the builder cannot produce
 * (unknown record fields, missing `responses`, hostile keys). Entry names are kept byte for byte.
 */
export function recordsArchive({ submissions = [], tasks = [], batch, files = {} }: ExportRecords): Buffer {
	const entries: RawZipEntry[] = [
		{ name: 'responses-by-submission.jsonl', data: Buffer.from(jsonl(submissions)) },
		{ name: 'responses-by-task.jsonl', data: Buffer.from(jsonl(tasks)) },
	];
	if (batch !== undefined) entries.push({ name: 'batch.json', data: Buffer.from(JSON.stringify(batch)) });
	for (const [name, data] of Object.entries(files)) entries.push({ name, data: Buffer.from(data) });
	return buildRawZip(entries);
}

/**
 * Rewrites the uncompressed size both headers of entry `name` declare, leaving its data alone:
 * turns an honest bomb into one that lies about its size.
 */
export function withDeclaredSize(zip: Buffer, name: string, size: number): Buffer {
	const out = Buffer.from(zip);
	const end = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
	let at = out.readUInt32LE(end + 16);
	for (let i = out.readUInt16LE(end + 10); i > 0; i--) {
		const nameLength = out.readUInt16LE(at + 28);
		if (out.toString('utf8', at + 46, at + 46 + nameLength) === name) {
			out.writeUInt32LE(size, at + 24);
			out.writeUInt32LE(size, out.readUInt32LE(at + 42) + 22);
			return out;
		}
		at += 46 + nameLength + out.readUInt16LE(at + 30) + out.readUInt16LE(at + 32);
	}
	throw new Error(`no entry ${name}`);
}

/** Asserts-friendly view of a failed run: the error's message and description, nothing else. */
export function failure(run: RunResult): { status: string; message?: string; description?: string } {
	return { status: run.status, message: run.error?.message, description: run.error?.description };
}
