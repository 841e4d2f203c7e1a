import type { ArchiveLimits } from '../../nodes/ProlificBatchExport/archive/reader';
import { buildArchive, buildRawZip, type RawZipEntry } from '../emulator';
import { buildCollectionArchive } from '../emulator/collection-builder';
import { sampleBatch } from '../fixtures/sample-batch';
import { sampleCollection } from '../fixtures/sample-collection';
import { rawEntriesOf } from './archives';
import { mulberry32 } from './random';

/**
 * Seeded damage to export archives, for fuzzing: byte flips, truncation, renamed, dropped and
 * duplicated entries, lying sizes, too many entries, broken and ill-typed JSON. The same seed
 * and case index give the same bytes on any machine.
 */

const MiB = 1024 * 1024;
export const DEFAULT_LIMITS: ArchiveLimits = { maxBytes: 2048 * MiB, maxFiles: 10_000 };

export class Random {
	private readonly next: () => number;

	constructor(seed: number) {
		this.next = mulberry32(seed);
	}

	/** 0 <= n < max */
	int(max: number): number {
		return Math.floor(this.next() * max);
	}

	pick<T>(items: readonly T[]): T {
		return items[this.int(items.length)];
	}

	chance(p: number): boolean {
		return this.next() < p;
	}
}

const TEXT_ENTRY = /\.jsonl$|^(batch|collection)\.json$/;

// Names an archive must not be allowed to smuggle in, and names that only look odd.
const ODD_NAMES = [
	'../evil.txt',
	'/etc/passwd',
	'C:/win.ini',
	'C:\\win.ini',
	'files/../../x.png',
	'files\\..\\..\\x.png',
	'files/a\u0000b.png',
	'__proto__',
	'files/__proto__',
	'constructor',
	'files/',
	'',
	'./files/s_i_0.png',
	'files\\s_i_0.png',
	'files/' + 'x'.repeat(300) + '.png',
	'files/ünïcødé 📦.jpg',
	'responses-by-submission.jsonl',
	'responses-by-task.jsonl',
	'batch.json',
	'collection.json',
	'responses.jsonl',
	'README.md',
	'RESPONSES-BY-SUBMISSION.JSONL',
	'files/s_i_0.png/',
	'files//double.png',
];

// Values that fit JSON but not what the records promise.
const ODD_VALUES: unknown[] = [
	null,
	true,
	0,
	-1,
	1.5,
	1e308,
	'',
	'x',
	'../../x',
	'/abs/x',
	'files/',
	'__proto__',
	[],
	[null],
	[{}],
	[1, 'two', null],
	{},
	{ type: 5 },
	{ type: 'file_upload', files: 'x' },
	{ type: 'file_upload', files: [{ path: null }, { name: 7, path: 'files/../../x' }, null] },
	{ type: 'multiple_choice', values: { option: {} } },
	{ type: 'rank_order', value: { nested: [[[]]] } },
	{ __proto__: { polluted: true }, constructor: { prototype: {} } },
	JSON.parse('{"__proto__":{"polluted":"yes"}}'),
	{ option: null, explanation: [] },
	'x'.repeat(100_000),
];

/** An odd JSON line: valid JSON of the wrong shape, or no JSON at all. */
const ODD_LINES = [
	'[1,2]',
	'null',
	'42',
	'"text"',
	'{',
	'}',
	'{"submission_id":',
	'{"responses":null}',
	'{"responses":[]}',
	'{"responses":{"t":null}}',
	'{"responses":{"t":{"i":null}}}',
	'{"responses":{"t":{"i":{"type":"file_upload","files":[{"path":123}]}}}}',
	'{"task_id":{},"responses":"x"}',
	'{"task_id":"t","responses":[null,1,"x",{"submission_id":null}]}',
	'{"instructions":{"length":1e9}}',
	'{"__proto__":{"polluted":"yes"},"responses":{"__proto__":{"toString":{"type":"x"}}}}',
	'\uFEFF{"a":1}',
	'{"a":1e999}',
	'{"a":"\\ud800"}',
	'['.repeat(1_000) + ']'.repeat(1_000),
	'{"a":' + '['.repeat(20_000) + ']'.repeat(20_000) + '}',
];

const JUNK = ['{', '}', '[', ']', ',', ':', '"', '\\', '\n', '\r\n', 'null', '\uFEFF', '\u0000', '💥', '\ud800', '\t'];

const DECLARED_SIZES = (real: number) => [
	0,
	1,
	Math.max(0, real - 1),
	real + 1,
	real * 1000,
	2 ** 31 - 1,
	2 ** 31,
	2 ** 32 - 1,
	DEFAULT_LIMITS.maxBytes,
	DEFAULT_LIMITS.maxBytes + 1,
];

interface Draft {
	entries: RawZipEntry[];
}

type EntryMutation = (random: Random, draft: Draft) => void;
type ByteMutation = (random: Random, zip: Buffer) => Buffer;

function someEntry(random: Random, draft: Draft, filter: (entry: RawZipEntry) => boolean = () => true): RawZipEntry | undefined {
	const matching = draft.entries.filter(filter);
	return matching.length ? random.pick(matching) : undefined;
}

/** Replaces one value somewhere inside a parsed record, at any depth. */
function replaceDeep(random: Random, value: unknown, depth = 0): unknown {
	if (typeof value !== 'object' || value === null || depth > 6 || random.chance(0.25)) return random.pick(ODD_VALUES);
	const keys = Object.keys(value);
	if (keys.length === 0) return random.pick(ODD_VALUES);
	const key = random.pick(keys);
	const copy: Record<string, unknown> = Array.isArray(value) ? [...value] as unknown as Record<string, unknown> : { ...value };
	copy[key] = replaceDeep(random, (value as Record<string, unknown>)[key], depth + 1);
	return copy;
}

function editText(entry: RawZipEntry, edit: (text: string) => string): void {
	entry.data = Buffer.from(edit(entry.data.toString('utf8')));
}

const ENTRY_MUTATIONS: Record<string, EntryMutation> = {
	rename(random, draft) {
		const entry = someEntry(random, draft);
		if (entry) entry.name = random.pick(ODD_NAMES);
	},
	duplicate(random, draft) {
		const entry = someEntry(random, draft);
		if (!entry) return;
		const copy = { ...entry, data: random.chance(0.5) ? entry.data : Buffer.from('different bytes') };
		draft.entries.splice(random.int(draft.entries.length + 1), 0, copy);
	},
	drop(random, draft) {
		if (draft.entries.length) draft.entries.splice(random.int(draft.entries.length), 1);
	},
	manyEntries(random, draft) {
		const count = 1 + random.int(120);
		for (let n = 0; n < count; n++) draft.entries.push({ name: `files/extra_${n}_${random.int(1e6)}.bin`, data: Buffer.from([n & 0xff]) });
	},
	declaredSize(random, draft) {
		const entry = someEntry(random, draft);
		if (entry) entry.declaredSize = random.pick(DECLARED_SIZES(entry.data.length));
	},
	store(random, draft) {
		const entry = someEntry(random, draft);
		if (entry) entry.compression = 'STORE';
	},
	bigEntry(random, draft) {
		// Honest and highly compressible: a few KiB on the wire, up to 2 MiB inflated.
		draft.entries.push({ name: `files/big_${random.int(1e6)}_0.bin`, data: Buffer.alloc((1 + random.int(32)) * 64 * 1024, random.int(256)) });
	},
	truncateJson(random, draft) {
		const entry = someEntry(random, draft, (e) => TEXT_ENTRY.test(e.name));
		if (entry) entry.data = entry.data.subarray(0, random.int(entry.data.length + 1));
	},
	deleteSlice(random, draft) {
		const entry = someEntry(random, draft, (e) => TEXT_ENTRY.test(e.name));
		if (!entry) return;
		const start = random.int(entry.data.length + 1);
		const end = Math.min(entry.data.length, start + 1 + random.int(200));
		entry.data = Buffer.concat([entry.data.subarray(0, start), entry.data.subarray(end)]);
	},
	insertJunk(random, draft) {
		const entry = someEntry(random, draft, (e) => TEXT_ENTRY.test(e.name));
		if (!entry) return;
		editText(entry, (text) => {
			const at = random.int(text.length + 1);
			return text.slice(0, at) + random.pick(JUNK) + text.slice(at);
		});
	},
	invalidUtf8(random, draft) {
		const entry = someEntry(random, draft, (e) => TEXT_ENTRY.test(e.name));
		if (!entry) return;
		const at = random.int(entry.data.length + 1);
		entry.data = Buffer.concat([entry.data.subarray(0, at), Buffer.from([0xff, 0xfe, 0xc3]), entry.data.subarray(at)]);
	},
	oddLine(random, draft) {
		const entry = someEntry(random, draft, (e) => TEXT_ENTRY.test(e.name));
		if (!entry) return;
		editText(entry, (text) => {
			const lines = text.split('\n');
			lines[random.int(lines.length)] = random.pick(ODD_LINES);
			return lines.join('\n');
		});
	},
	oddValue(random, draft) {
		const entry = someEntry(random, draft, (e) => TEXT_ENTRY.test(e.name));
		if (!entry) return;
		editText(entry, (text) => {
			if (entry.name.endsWith('.json')) {
				try {
					return JSON.stringify(replaceDeep(random, JSON.parse(text)));
				} catch {
					return text;
				}
			}
			const lines = text.split('\n');
			const index = random.int(lines.length);
			try {
				lines[index] = JSON.stringify(replaceDeep(random, JSON.parse(lines[index])));
			} catch {
				// a blank or already broken line stays as it is
			}
			return lines.join('\n');
		});
	},
	repeatLines(random, draft) {
		const entry = someEntry(random, draft, (e) => e.name.endsWith('.jsonl'));
		if (!entry) return;
		editText(entry, (text) => {
			const lines = text.split('\n').filter(Boolean);
			const line = lines.length ? random.pick(lines) : '{}';
			return text + `${line}\n`.repeat(1 + random.int(50));
		});
	},
};

/** Offsets of every ZIP header signature: local file, central directory, end of directory. */
function headerOffsets(zip: Buffer): number[] {
	const offsets: number[] = [];
	for (let at = zip.indexOf('PK'); at >= 0 && at < zip.length - 3; at = zip.indexOf('PK', at + 1)) {
		const kind = zip.readUInt16LE(at + 2);
		if (kind === 0x0403 || kind === 0x0201 || kind === 0x0605) offsets.push(at);
	}
	return offsets;
}

const BYTE_MUTATIONS: Record<string, ByteMutation> = {
	flipBytes(random, zip) {
		const out = Buffer.from(zip);
		for (let n = 1 + random.int(16); n > 0 && out.length; n--) out[random.int(out.length)] ^= 1 + random.int(255);
		return out;
	},
	truncate(random, zip) {
		return Buffer.from(zip.subarray(0, random.int(zip.length)));
	},
	headerField(random, zip) {
		const offsets = headerOffsets(zip);
		if (!offsets.length) return zip;
		const out = Buffer.from(zip);
		const at = random.pick(offsets) + 4 + random.int(26);
		const value = random.pick([0, 1, 0xff, 0xffff, 0xffffffff, 0x7fffffff, random.int(2 ** 32)]);
		if (at + 4 <= out.length) out.writeUInt32LE(value >>> 0, at);
		return out;
	},
	garbage(random, zip) {
		const junk = Buffer.from(Array.from({ length: 1 + random.int(64) }, () => random.int(256)));
		return random.chance(0.5) ? Buffer.concat([junk, zip]) : Buffer.concat([zip, junk]);
	},
};

const ENTRY_NAMES = Object.keys(ENTRY_MUTATIONS);
const BYTE_NAMES = Object.keys(BYTE_MUTATIONS);

export interface MutatedArchive {
	zip: Buffer;
	/** mostly the node's defaults; one case in five small ones, to reach the limits */
	limits: ArchiveLimits;
	/** what was done to it, in order */
	mutations: string[];
}

/** The archives mutations start from: the full sample, a two-submission cut of it, the cut with CRLF and BOM. */
export async function mutationBases(): Promise<RawZipEntry[][]> {
	const kept = sampleBatch.submissions.slice(0, 2);
	const small = {
		...sampleBatch,
		submissions: kept,
		files: Object.fromEntries(
			Object.entries(sampleBatch.files).filter(([path]) =>
				kept.some((submission) => path.startsWith(`files/${submission.submission_id}_`)),
			),
		),
	};
	return [
		await rawEntriesOf(await buildArchive(sampleBatch)),
		await rawEntriesOf(await buildArchive(small)),
		await rawEntriesOf(await buildArchive(small, { crlf: true, bom: true, trailingBlankLines: 2 })),
	];
}

/** A collection's archives: one line per submission, and one line per response. */
export async function collectionMutationBases(): Promise<RawZipEntry[][]> {
	return [
		await rawEntriesOf(await buildCollectionArchive(sampleCollection)),
		await rawEntriesOf(await buildCollectionArchive(sampleCollection, { perResponse: true })),
	];
}

/** Case `index` of the run seeded `seed`: its own random stream, so it replays without the others. */
export function mutatedArchive(seed: number, index: number, bases: RawZipEntry[][]): MutatedArchive {
	const random = new Random((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
	// Mostly the small bases: the full sample costs five times as much per case.
	const base = random.chance(0.15) ? bases[0] : bases[1 + random.int(bases.length - 1)];
	const draft: Draft = { entries: base.map((entry) => ({ ...entry })) };
	const mutations: string[] = [];
	for (let n = 1 + random.int(3); n > 0; n--) {
		const name = random.pick(ENTRY_NAMES);
		ENTRY_MUTATIONS[name](random, draft);
		mutations.push(name);
	}
	let zip = buildRawZip(draft.entries);
	if (random.chance(0.4)) {
		const name = random.pick(BYTE_NAMES);
		zip = BYTE_MUTATIONS[name](random, zip);
		mutations.push(name);
	}
	const limits = random.chance(0.8) ? DEFAULT_LIMITS : { maxBytes: 1024 * (1 + random.int(256)), maxFiles: random.int(12) };
	return { zip, limits, mutations };
}
