/**
 * Synthetic Prolific exports for the benchmarks: deterministic from a seed, in the emulator's
 * archive layout (the same entries and bytes of JSON as test/emulator/archive-builder.ts writes
 * for the same BatchSpec; test/bench-synthetic.test.ts checks that), but written to disk as a
 * stream, so a 500 MB archive is generated without ever being held in memory.
 *
 * - Text is drawn from a word list (it compresses like real answers do); uploaded files are
 *   incompressible bytes (AES-CTR keystream), as photos and PDFs are.
 * - Every entry is DEFLATE, as the emulator's builder writes them (file entries end up as
 *   DEFLATE "stored" blocks, which is what zip tools make of incompressible data).
 * - A submission is regenerated from (seed, index) whenever it is needed, so
 *   responses-by-task.jsonl (the same answers regrouped per task) needs no second copy either.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { once } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

import type { BatchSpec, InstructionSpec, Response, SubmissionSpec } from '../emulator/archive-builder';
import { readme } from '../emulator/archive-builder';
import { mulberry32 } from '../support/random';

export interface SyntheticSpec {
	/** e.g. "1k submissions" */
	label: string;
	seed: string;
	submissions: number;
	tasks: number;
	/** uploaded files per (submission, task); 0 leaves the file_upload instruction out */
	filesPerTask: number;
	/** file sizes are drawn uniformly from [min, max] bytes */
	fileBytes?: [number, number];
	/** words per free-text answer, drawn uniformly from [min, max] */
	words?: [number, number];
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** A 32-bit seed from a string (FNV-1a). */
function seedOf(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
	return h >>> 0;
}

/** A seeded stream of numbers for test data. */
export function rng(seed: string): () => number {
	return mulberry32(seedOf(seed));
}

const int = (r: () => number, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)];
const hex = (r: () => number, length: number) =>
	Array.from({ length }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
const uuid = (r: () => number) =>
	`${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-${pick(r, ['8', '9', 'a', 'b'])}${hex(r, 3)}-${hex(r, 12)}`;

const WORDS = (
	'the a of and to in is it that with for on as was at by this from or an be are have has not but ' +
	'red blue white black green small large left right front back top bottom item photo shelf box ' +
	'label price brand bottle cup mug shoe wallet phone cable chair table lamp book bag coat ' +
	'visible blurry bright dark clear partly mostly slightly very quite almost clean worn new old ' +
	'shows looks seems appears contains holds has shown taken placed next behind under above near ' +
	'two three four one several many few corner edge side surface background foreground logo text ' +
	'leather plastic metal wood glass paper cotton rubber ceramic steel fabric matte glossy ' +
	'café naïve Größe très 🙂 📦'
).split(' ');

function sentence(r: () => number, [min, max]: [number, number]): string {
	const n = int(r, min, max);
	const words: string[] = [];
	for (let i = 0; i < n; i++) words.push(pick(r, WORDS));
	const text = words.join(' ');
	// A few answers span lines or quote things: JSON escapes them, the JSONL stays one line each.
	const roll = r();
	if (roll < 0.02) return `${text}\n${pick(r, WORDS)}`;
	if (roll < 0.04) return `"${text}"`;
	return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------------------------
// The batch

const CATEGORIES = ['Accessories', 'Clothing', 'Electronics', 'Home & Garden', 'Sport', 'Toys', 'Food'];
const UPLOAD_TYPES = [
	{ ext: 'jpg', name: (n: number) => `IMG_${1000 + n}.jpg` },
	{ ext: 'png', name: (n: number) => `photo ${n}.png` },
	{ ext: 'pdf', name: (n: number) => `scan_${n}.pdf` },
];

export interface SyntheticBatch {
	spec: SyntheticSpec;
	/** batch metadata, without submissions or files (they are generated on demand) */
	batch: BatchSpec;
	submission(index: number): SubmissionSpec;
	/** archive path -> size, in submission order */
	files(): Iterable<{ path: string; size: number }>;
	fileBytes(path: string, size: number): Buffer;
}

export function syntheticBatch(spec: SyntheticSpec): SyntheticBatch {
	const r = rng(`${spec.seed}:batch`);
	const words = spec.words ?? [4, 24];
	const [minBytes, maxBytes] = spec.fileBytes ?? [50_000, 450_000];
	const instruction = (type: string, description: string): InstructionSpec => ({ id: uuid(r), type, description });
	const I = {
		describe: instruction('free_text', 'Briefly describe the item shown'),
		width: instruction('free_text_with_unit', "Estimate the item's width"),
		categories: instruction('multiple_choice', 'Which categories apply?'),
		usable: instruction('multiple_choice_with_free_text', 'Is the photo usable?'),
		photo: instruction('file_upload', 'Upload a photo of the item'),
	};
	const instructions = [I.describe, I.width, I.categories, I.usable, ...(spec.filesPerTask > 0 ? [I.photo] : [])];
	const taskIds = Array.from({ length: spec.tasks }, () => uuid(r));
	const batch: BatchSpec = {
		batch_id: uuid(r),
		name: `Synthetic ${spec.label}`,
		workspace_id: hex(r, 24),
		status: 'READY',
		created_at: '2026-03-01T08:00:00Z',
		exported_at: '2026-03-20T09:00:00Z',
		instructions,
		task_ids: taskIds,
		submissions: [],
		files: {},
	};
	const start = Date.parse('2026-03-02T00:00:00Z');
	const answer = (i: InstructionSpec, fields: Record<string, unknown>): Response => ({
		type: i.type,
		description: i.description,
		...fields,
	});

	const submission = (index: number): SubmissionSpec => {
		const s = rng(`${spec.seed}:submission:${index}`);
		const submission_id = hex(s, 24);
		const participant_id = hex(s, 24);
		const created_at = new Date(start + index * 37_000 + int(s, 0, 30_000)).toISOString().replace('.000Z', 'Z');
		let uploads = 0;
		const responses: SubmissionSpec['responses'] = {};
		for (const task of taskIds) {
			const answers: Record<string, Response> = {
				[I.describe.id]: answer(I.describe, { value: sentence(s, words) }),
				[I.width.id]: answer(I.width, { value: String(int(s, 1, 400) / 2), unit: pick(s, ['cm', 'mm', 'in']) }),
				[I.categories.id]: answer(I.categories, {
					values: [...new Set(Array.from({ length: int(s, 1, 3) }, () => pick(s, CATEGORIES)))],
				}),
				[I.usable.id]: answer(I.usable, {
					values: [s() < 0.85 ? { option: 'Yes', explanation: '' } : { option: 'No', explanation: sentence(s, [3, 12]) }],
				}),
			};
			if (spec.filesPerTask > 0) {
				const files = Array.from({ length: spec.filesPerTask }, () => {
					const kind = pick(s, UPLOAD_TYPES);
					const n = uploads++;
					return { name: kind.name(n), path: `files/${submission_id}_${I.photo.id}_${n}.${kind.ext}` };
				});
				answers[I.photo.id] = answer(I.photo, { files });
			}
			responses[task] = answers;
		}
		return { submission_id, participant_id, created_at, responses };
	};

	function* files(): Iterable<{ path: string; size: number }> {
		for (let i = 0; i < spec.submissions; i++) {
			const sub = submission(i);
			for (const task of taskIds) {
				for (const file of (sub.responses[task][I.photo.id]?.files ?? []) as Array<{ path: string }>) {
					yield { path: file.path, size: int(rng(`${spec.seed}:size:${file.path}`), minBytes, maxBytes) };
				}
			}
		}
	}

	return { spec, batch, submission, files, fileBytes: (path, size) => incompressible(`${spec.seed}:${path}`, size) };
}

/** `size` bytes of AES-128-CTR keystream keyed by `seed`: incompressible, reproducible, fast. */
export function incompressible(seed: string, size: number): Buffer {
	const key = createHash('sha256').update(seed).digest();
	const cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
	return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

/** The whole batch in memory, as the emulator's buildArchive takes it (small specs only). */
export function materialise(synthetic: SyntheticBatch): BatchSpec {
	const submissions = Array.from({ length: synthetic.spec.submissions }, (_, i) => synthetic.submission(i));
	const files: Record<string, Buffer> = {};
	for (const { path, size } of synthetic.files()) files[path] = synthetic.fileBytes(path, size);
	return { ...synthetic.batch, submissions, files };
}

// ---------------------------------------------------------------------------------------------
// The archive, streamed to disk

export interface WrittenArchive {
	path: string;
	bytes: number;
	entries: number;
	files: number;
	fileBytes: number;
	/** uncompressed sizes of the two JSONL files */
	jsonlBytes: number;
}

/** Writes the export ZIP of a synthetic batch to `path`, entry by entry, never holding more than one file. */
export async function writeSyntheticArchive(synthetic: SyntheticBatch, path: string): Promise<WrittenArchive> {
	const { batch } = synthetic;
	const zip = await ZipWriter.create(path, new Date(batch.exported_at));
	let jsonlBytes = 0;
	try {
		jsonlBytes += await zip.addText('responses-by-submission.jsonl', submissionLines(synthetic));
		jsonlBytes += await zip.addText('responses-by-task.jsonl', taskLines(synthetic));
		const batchJson = { batch_id: batch.batch_id, name: batch.name, exported_at: batch.exported_at, instructions: batch.instructions };
		await zip.addText('batch.json', [JSON.stringify(batchJson, null, 2) + '\n']);
		await zip.addText('README.md', [readme(batch)]);
		let files = 0;
		let fileBytes = 0;
		for (const file of synthetic.files()) {
			await zip.addBuffer(file.path, synthetic.fileBytes(file.path, file.size), 1);
			files++;
			fileBytes += file.size;
		}
		const bytes = await zip.finish();
		return { path, bytes, entries: 4 + files, files, fileBytes, jsonlBytes };
	} catch (error) {
		await zip.abort();
		throw error;
	}
}

/** responses-by-submission.jsonl, a line at a time, in buildArchive's key order. */
function* submissionLines({ batch, spec, submission }: SyntheticBatch): Iterable<string> {
	for (let i = 0; i < spec.submissions; i++) {
		const { submission_id, participant_id, created_at, responses } = submission(i);
		yield JSON.stringify({ submission_id, participant_id, batch_id: batch.batch_id, created_at, responses }) + '\n';
	}
}

/** responses-by-task.jsonl: one (long) line per task, written in pieces. */
function* taskLines({ batch, spec, submission }: SyntheticBatch): Iterable<string> {
	for (const task_id of batch.task_ids) {
		const head = JSON.stringify({ task_id, batch_id: batch.batch_id, responses: [] });
		yield head.slice(0, -2); // ... "responses":[
		for (let i = 0; i < spec.submissions; i++) {
			const { submission_id, participant_id, created_at, responses } = submission(i);
			yield (i ? ',' : '') + JSON.stringify({ submission_id, participant_id, created_at, ...responses[task_id] });
		}
		yield ']}\n';
	}
}

/**
 * A minimal ZIP writer: each local header is written with placeholder sizes and patched once the
 * entry's data is on disk. Past 4 GiB it writes ZIP64 as Python's zipfile does (which real
 * exports of that size are likely made with): an entry's offset beyond 32 bits goes into a ZIP64
 * extra field, and the end of the directory gets a ZIP64 record and locator. Each entry stays
 * under 4 GiB.
 */
/** The largest size or offset a 32-bit ZIP field holds (0xffffffff itself means "see ZIP64"). */
const ZIP32_MAX = 0xfffffffe;

class ZipWriter {
	private offset = 0;
	private readonly central: Buffer[] = [];
	private count = 0;

	private constructor(
		private readonly file: FileHandle,
		private readonly dosTime: number,
		private readonly dosDate: number,
	) {}

	static async create(path: string, date: Date): Promise<ZipWriter> {
		// jszip writes local time; UTC keeps the bytes independent of the machine's zone.
		const dosTime = (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1);
		const dosDate = ((date.getUTCFullYear() - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate();
		return new ZipWriter(await open(path, 'w'), dosTime, dosDate);
	}

	/** Text pieces, deflated as a stream. Returns the uncompressed size. */
	async addText(name: string, pieces: Iterable<string>): Promise<number> {
		const header = await this.begin(name);
		const deflate = createDeflateRaw({ level: 6 });
		let crc = 0;
		let size = 0;
		let compressed = 0;
		const writes: Promise<unknown>[] = [];
		deflate.on('data', (chunk: Buffer) => {
			compressed += chunk.length;
			writes.push(this.file.write(chunk, 0, chunk.length, this.offset));
			this.offset += chunk.length;
		});
		const ended = once(deflate, 'end');
		let pending: string[] = [];
		let pendingLength = 0;
		const flush = async () => {
			if (!pending.length) return;
			const chunk = Buffer.from(pending.join(''), 'utf8');
			pending = [];
			pendingLength = 0;
			crc = crc32(chunk, crc);
			size += chunk.length;
			if (!deflate.write(chunk)) await once(deflate, 'drain');
		};
		for (const piece of pieces) {
			pending.push(piece);
			pendingLength += piece.length;
			if (pendingLength >= 1 << 20) await flush();
		}
		await flush();
		deflate.end();
		await ended;
		await Promise.all(writes);
		await this.end(name, header, crc, compressed, size);
		return size;
	}

	/** One buffer, deflated at `level` (1 for incompressible data: the result is stored blocks either way). */
	async addBuffer(name: string, data: Buffer, level: number): Promise<void> {
		const header = await this.begin(name);
		const body = deflateRawSync(data, { level });
		await this.file.write(body, 0, body.length, this.offset);
		this.offset += body.length;
		await this.end(name, header, crc32(data), body.length, data.length);
	}

	private async begin(name: string): Promise<{ at: number; name: Buffer }> {
		const encoded = Buffer.from(name, 'utf8');
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(20, 4); // version needed
		local.writeUInt16LE(0, 6); // flags: sizes in this header (patched), ASCII names
		local.writeUInt16LE(8, 8); // DEFLATE
		local.writeUInt16LE(this.dosTime, 10);
		local.writeUInt16LE(this.dosDate, 12);
		local.writeUInt16LE(encoded.length, 26);
		const at = this.offset;
		await this.file.write(Buffer.concat([local, encoded]), 0, 30 + encoded.length, at);
		this.offset += 30 + encoded.length;
		return { at, name: encoded };
	}

	private async end(name: string, header: { at: number; name: Buffer }, crc: number, compressed: number, size: number) {
		if (compressed > ZIP32_MAX || size > ZIP32_MAX) throw new Error(`${name}: an entry of 4 GiB or more, which this writer does not do`);
		const sizes = Buffer.alloc(12);
		sizes.writeUInt32LE(crc >>> 0, 0);
		sizes.writeUInt32LE(compressed, 4);
		sizes.writeUInt32LE(size, 8);
		await this.file.write(sizes, 0, 12, header.at + 14);
		const far = header.at > ZIP32_MAX;
		const extra = Buffer.alloc(far ? 12 : 0);
		if (far) {
			extra.writeUInt16LE(0x0001, 0); // ZIP64 extended information
			extra.writeUInt16LE(8, 2);
			extra.writeBigUInt64LE(BigInt(header.at), 4);
		}
		const entry = Buffer.alloc(46);
		entry.writeUInt32LE(0x02014b50, 0);
		entry.writeUInt16LE(far ? 45 : 20, 4); // version made by
		entry.writeUInt16LE(far ? 45 : 20, 6); // version needed
		entry.writeUInt16LE(0, 8);
		entry.writeUInt16LE(8, 10);
		entry.writeUInt16LE(this.dosTime, 12);
		entry.writeUInt16LE(this.dosDate, 14);
		sizes.copy(entry, 16);
		entry.writeUInt16LE(header.name.length, 28);
		entry.writeUInt16LE(extra.length, 30);
		entry.writeUInt32LE(far ? 0xffffffff : header.at, 42);
		this.central.push(entry, header.name, extra);
		this.count++;
	}

	/** Writes the central directory; returns the archive's size. */
	async finish(): Promise<number> {
		const directory = Buffer.concat(this.central);
		const at = this.offset;
		const zip64 = this.count > 0xfffe || at > ZIP32_MAX || directory.length > ZIP32_MAX;
		const tail: Buffer[] = [];
		if (zip64) {
			const record = Buffer.alloc(56);
			record.writeUInt32LE(0x06064b50, 0);
			record.writeBigUInt64LE(44n, 4); // size of the rest of the record
			record.writeUInt16LE(45, 12);
			record.writeUInt16LE(45, 14);
			record.writeBigUInt64LE(BigInt(this.count), 24);
			record.writeBigUInt64LE(BigInt(this.count), 32);
			record.writeBigUInt64LE(BigInt(directory.length), 40);
			record.writeBigUInt64LE(BigInt(at), 48);
			const locator = Buffer.alloc(20);
			locator.writeUInt32LE(0x07064b50, 0);
			locator.writeBigUInt64LE(BigInt(at + directory.length), 8);
			locator.writeUInt32LE(1, 16); // disks
			tail.push(record, locator);
		}
		const end = Buffer.alloc(22);
		end.writeUInt32LE(0x06054b50, 0);
		end.writeUInt16LE(Math.min(this.count, 0xffff), 8);
		end.writeUInt16LE(Math.min(this.count, 0xffff), 10);
		end.writeUInt32LE(Math.min(directory.length, 0xffffffff), 12);
		end.writeUInt32LE(at > ZIP32_MAX ? 0xffffffff : at, 16);
		const rest = Buffer.concat([directory, ...tail, end]);
		await this.file.write(rest, 0, rest.length, at);
		this.offset += rest.length;
		await this.file.close();
		return this.offset;
	}

	async abort(): Promise<void> {
		await this.file.close().catch(() => undefined);
	}
}
