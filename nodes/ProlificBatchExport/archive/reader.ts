// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- the export is a ZIP; jszip is this package's declared runtime dependency
import JSZip from 'jszip';

import { formatBytes } from '../bytes';
import { ArchiveError } from './errors';
import { checksum, inflateWithin } from './inflate';
import { parseJsonl } from './jsonl';
import { isUnsafePath, normalisePath } from './paths';
import { ARCHIVE_LAYOUT, isUploadPath, TOP_LEVEL_FILES } from './layout';
import type { BatchInfo, Instruction } from './records';

export interface ArchiveLimits {
	/** Largest archive, and largest total of bytes inflated from it. */
	maxBytes: number;
	/** Most entries besides the documented top-level files. */
	maxFiles: number;
}

const SIZE_OPTION_HINT = "Raise the node's 'Max Archive Size' option if this batch really is that large.";

/** jszip's record of an entry's stored bytes (its CompressedObject), missing from its typings. */
interface StoredEntry {
	uncompressedSize: number;
	compressedSize: number;
	crc32: number;
	compression: { magic: string };
	/** a view of the archive's own bytes */
	compressedContent: Uint8Array;
}

type Entry = JSZip.JSZipObject & { _data?: unknown };

/** jszip keeps no stored bytes for an entry whose headers declare it empty (it holds '' instead). */
function storedOf(entry: Entry): StoredEntry | undefined {
	const stored = entry._data as Partial<StoredEntry> | undefined;
	return stored?.compressedContent instanceof Uint8Array ? (stored as StoredEntry) : undefined;
}

/** ZIP's "stored" (uncompressed) method, as jszip spells it. */
const STORED = '\x00\x00';

/** DEFLATE expands at most about 1032-fold: a header declaring more than that is lying. */
const MAX_INFLATE_RATIO = 1032;

/** Whether the entry's stored bytes could inflate to the size it declares. */
function plausibleSize(stored: StoredEntry, declared: number): boolean {
	return declared <= (stored.compressedSize >>> 0) * MAX_INFLATE_RATIO + 1024;
}

/** jszip reads the 32-bit size field as a signed number: 3 GiB would come back negative. */
function declaredSize(entry: Entry): number | undefined {
	const size = storedOf(entry)?.uncompressedSize;
	return typeof size === 'number' ? size >>> 0 : undefined;
}

/**
 * A Prolific export ZIP, read lazily and within limits. Sizes are counted on the bytes actually
 * inflated, never trusted from headers: an entry that inflates past what it declares is refused
 * as soon as it does, so a small hostile archive cannot exhaust memory.
 */
export class ExportArchive {
	private inflated = 0;
	private readonly damaged = new Map<string, DamagedText>();

	private constructor(
		private readonly entries: Map<string, Entry>,
		private readonly limits: ArchiveLimits,
	) {}

	static async open(data: Buffer, limits: ArchiveLimits): Promise<ExportArchive> {
		if (data.length > limits.maxBytes) {
			throw new ArchiveError(
				`The export archive is ${formatBytes(data.length)}, over the limit of ${formatBytes(limits.maxBytes)}`,
				SIZE_OPTION_HINT,
			);
		}
		const loaded = await loadZip(data).then(
			(zip) => zip,
			(error: Error) => ({ error }),
		);
		if ('error' in loaded) {
			throw new ArchiveError(
				`The export archive could not be read as a ZIP file (${String(loaded.error?.message).trim()})`,
				'The download was probably cut short or corrupted. Run the node again to download a fresh copy.',
			);
		}
		return new ExportArchive(collectEntries(loaded.zip, loaded.names, limits), limits);
	}

	/** Normalised names of the uploaded files (entries under files/). */
	get fileNames(): string[] {
		return [...this.entries.keys()].filter((name) => isUploadPath(name));
	}

	/** The size an entry declares, without inflating it. */
	declaredSize(name: string): number | undefined {
		const entry = this.entries.get(normalisePath(name));
		return entry && declaredSize(entry);
	}

	has(name: string): boolean {
		return this.entries.has(normalisePath(name));
	}

	/** Whether the archive holds this upload: an entry under files/. */
	hasUpload(name: string): boolean {
		return isUploadPath(name) && this.has(name);
	}

	/** An entry's bytes, inflated and checked against its recorded size and checksum. */
	async readBytes(name: string): Promise<Buffer> {
		const path = normalisePath(name);
		const entry = this.entries.get(path);
		if (!entry) {
			throw new ArchiveError(`The export archive has no entry '${path}'`, 'Run the node again to download a fresh export.');
		}
		return await this.inflate(path, entry);
	}

	/**
	 * An entry as text without its UTF-8 byte order mark, or undefined when it is absent. Bytes
	 * that are not UTF-8 read as U+FFFD, as any text editor shows them, and are noted in
	 * `damagedText`: the record is kept, but someone should know it changed.
	 */
	async readText(name: string): Promise<string | undefined> {
		if (!this.has(name)) return undefined;
		const bytes = await this.readBytes(name);
		const text = bytes.toString('utf8');
		// A U+FFFD is either in the data or what undecodable bytes became: only the bytes can say which.
		const lines = text.includes('\uFFFD') ? linesNotUtf8(bytes) : [];
		if (lines.length) this.damaged.set(normalisePath(name), { file: normalisePath(name), lines });
		return text.replace(/^\uFEFF/, '');
	}

	/** The text entries read so far that held bytes that are not UTF-8, and on which lines. */
	get damagedText(): DamagedText[] {
		return [...this.damaged.values()];
	}

	async readJsonl<T>(name: string): Promise<T[] | undefined> {
		const text = await this.readText(name);
		return text === undefined ? undefined : parseJsonl<T>(text, name);
	}

	/** batch.json (or a collection's collection.json), or a bare description when the archive lacks it. */
	async readBatch(name = ARCHIVE_LAYOUT.batch.infoFile): Promise<BatchInfo> {
		const text = await this.readText(name);
		if (text === undefined) return { instructions: [] };
		const [batch] = parseJsonl<BatchInfo>(text, name, { wholeFile: true });
		return { ...batch, instructions: Array.isArray(batch.instructions) ? batch.instructions : pageInstructions(batch) };
	}

	private async inflate(path: string, entry: Entry): Promise<Buffer> {
		const stored = storedOf(entry);
		if (!stored) return Buffer.alloc(0);
		const content = stored.compressedContent;
		const declared = declaredSize(entry);
		const budget = this.limits.maxBytes - this.inflated;
		const cap = Math.min(declared ?? budget, budget);
		const tooLarge = () => overflow(path, declared, budget, this.limits.maxBytes);
		let bytes: Buffer;
		if (stored.compression.magic === STORED) {
			if (content.length > cap) throw tooLarge();
			// A view of the archive's bytes, no copy: nothing writes to them.
			bytes = Buffer.from(content.buffer, content.byteOffset, content.length);
		} else {
			// DEFLATE, as jszip refuses any other method when it opens the archive. An honest header
			// sizes the output once; a lying one (a few bytes declaring 2 GiB) must not make us
			// allocate what it declares.
			const honest = declared !== undefined && declared <= budget && plausibleSize(stored, declared);
			const inflated = await inflateWithin(content, cap, honest ? declared : undefined);
			if ('tooLarge' in inflated) throw tooLarge();
			if ('damaged' in inflated) throw corrupt(path, `its compressed data is damaged: ${inflated.damaged}`);
			bytes = inflated.bytes;
		}
		if (declared !== undefined && bytes.length !== declared) throw corrupt(path, mismatch(bytes.length, declared));
		if (checksum(bytes) !== stored.crc32 >>> 0) {
			throw corrupt(path, 'its bytes do not match the checksum the archive records for them');
		}
		this.inflated += bytes.length;
		return bytes;
	}
}

/**
 * The ZIP, and the name of every file entry its directory holds, repeats included: jszip's
 * `files` map keeps only the last entry of a name, but its loader adds each entry through the
 * instance's `file(name, data, options)`, which is noted here on the way.
 */
async function loadZip(data: Buffer): Promise<{ zip: JSZip; names: string[] }> {
	const zip = new JSZip();
	const names: string[] = [];
	const add = zip.file.bind(zip) as (...args: unknown[]) => unknown;
	const noting = (...args: unknown[]) => {
		if (args.length > 1 && (args[2] as JSZip.JSZipFileOptions | undefined)?.dir !== true) names.push(String(args[0]));
		return add(...args);
	};
	Object.assign(zip, { file: noting });
	await zip.loadAsync(data);
	delete (zip as Partial<Pick<JSZip, 'file'>>).file;
	return { zip, names };
}

export interface DamagedText {
	file: string;
	/** 1-based, as the errors for malformed lines count them */
	lines: number[];
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
	try {
		STRICT_UTF8.decode(bytes);
		return true;
	} catch {
		return false;
	}
}

/** The lines (split at LF, which no multi-byte character contains) that are not valid UTF-8. */
function linesNotUtf8(bytes: Buffer): number[] {
	const lines: number[] = [];
	for (let start = 0, line = 1; start <= bytes.length; line++) {
		const newline = bytes.indexOf(0x0a, start);
		const end = newline < 0 ? bytes.length : newline;
		if (!isUtf8(bytes.subarray(start, end))) lines.push(line);
		start = end + 1;
	}
	return lines;
}

function collectEntries(zip: JSZip, names: string[], limits: ArchiveLimits): Map<string, Entry> {
	const entries = new Map<string, Entry>();
	let declaredTotal = 0;
	let others = 0;
	// Own keys only: a hostile '__proto__' entry must not drag jszip's prototype chain in.
	for (const key of Object.keys(zip.files)) {
		const entry = zip.files[key] as Entry;
		if (entry.dir) continue;
		const path = normalisePath(entry.unsafeOriginalName ?? entry.name);
		if (isUnsafePath(path)) {
			throw new ArchiveError(
				`The export archive contains an unsafe entry name '${path}' (absolute or with '..')`,
				'Prolific never writes such names: the archive did not come from Prolific intact. Nothing was extracted; check where the download URL points.',
			);
		}
		if (!TOP_LEVEL_FILES.has(path) && ++others > limits.maxFiles) {
			throw new ArchiveError(
				`The export archive holds more than ${limits.maxFiles} files`,
				"Raise the node's 'Max Files' option if this batch really has that many uploads.",
			);
		}
		declaredTotal += declaredSize(entry) ?? 0;
		if (declaredTotal > limits.maxBytes) {
			throw new ArchiveError(
				`The export archive inflates to more than ${formatBytes(limits.maxBytes)}`,
				SIZE_OPTION_HINT,
			);
		}
		entries.set(path, entry);
	}
	refuseRepeatedNames(names);
	return entries;
}

/** Two entries of one name: whichever was kept, the other (submissions, an upload) would be lost unseen. */
function refuseRepeatedNames(names: string[]): void {
	const seen = new Set<string>();
	for (const name of names) {
		const path = normalisePath(name);
		if (seen.has(path)) {
			throw new ArchiveError(
				`The export archive is corrupt: it holds more than one entry named '${path}'`,
				'Prolific writes each file once, so one of them would be lost. Run the node again to download a fresh copy; if it happens again, report the batch ID to Prolific support.',
			);
		}
		seen.add(path);
	}
}

function overflow(path: string, declared: number | undefined, budget: number, maxBytes: number): ArchiveError {
	if (declared !== undefined && declared <= budget) {
		return corrupt(path, `it inflates to more than the ${declared} bytes it declares`);
	}
	return new ArchiveError(
		`The export archive inflates to more than ${formatBytes(maxBytes)} (stopped at '${path}')`,
		SIZE_OPTION_HINT,
	);
}

function mismatch(size: number, declared: number): string {
	return `it inflated to ${size} bytes but declares ${declared}`;
}

function corrupt(path: string, reason: string): ArchiveError {
	return new ArchiveError(
		`The export archive is corrupt: '${path}' cannot be read (${reason})`,
		'The download was probably damaged. Run the node again to download a fresh copy.',
	);
}

/**
 * A collection.json in the API's Collection shape lists its instructions page by page
 * (`collection_items[].page_items[]`), between content blocks (images, rich text) that have no
 * description.
 */
function pageInstructions(info: BatchInfo): Instruction[] {
	const pages = Array.isArray(info.collection_items) ? (info.collection_items as unknown[]) : [];
	return pages
		.flatMap((page) => (typeof page === 'object' && page !== null && Array.isArray((page as { page_items?: unknown }).page_items) ? (page as { page_items: unknown[] }).page_items : []))
		.filter(
			(item): item is Instruction =>
				typeof item === 'object' && item !== null && typeof (item as Instruction).id === 'string' && typeof (item as Instruction).description === 'string',
		);
}
