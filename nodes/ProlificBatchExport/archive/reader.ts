// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- n8n's binary store takes a Readable; entries reach it as streams
import { Readable, Transform } from 'node:stream';

import { formatBytes } from '../bytes';
import { dataOffset, DirectoryTooLargeError, readDirectory, UnreadableZipError, type DirectoryEntry } from './directory';
import { ArchiveError } from './errors';
import { inflating, isZlibError, crc32 } from './inflate';
import { JsonlLines, parseJsonl } from './jsonl';
import { isUnsafePath, normalisePath } from './paths';
import { ARCHIVE_LAYOUT, isUploadPath, TOP_LEVEL_FILES } from './layout';
import type { BatchInfo, Instruction } from './records';
import { pump, ReadBuffers } from './pump';
import { bufferSource, fileSource, type ArchiveSource, type Arrival } from './source';
import { linesNotUtf8 } from './utf8';

export interface ArchiveLimits {
	/** Largest archive, and largest total of bytes inflated from it. */
	maxBytes: number;
	/** Most entries besides the documented top-level files. */
	maxFiles: number;
}

const SIZE_OPTION_HINT = "Raise the node's 'Max Archive Size' option if this batch really is that large.";
const MAX_FILES_HINT = "Raise the node's 'Max Files' option if this batch really has that many uploads.";

const STORED = 0;
const DEFLATE = 8;

/**
 * Room for each entry's record in the central directory: Prolific's names take about 100 bytes.
 * The directory is read whole, so its size is bounded by what Max Files allows.
 */
const DIRECTORY_BYTES_PER_ENTRY = 1024;

/**
 * A Prolific export ZIP, read by offset from its file (or, in tests, from memory) and within
 * limits: only the central directory is held, and each entry inflates as a stream. Sizes are
 * counted on the bytes actually inflated, never trusted from headers: an entry that inflates past
 * what it declares is refused as soon as it does, so a small hostile archive cannot exhaust memory
 * or disk, and every entry's bytes are checked against its size and CRC-32 before its stream ends.
 */
export class ExportArchive {
	private inflated = 0;
	private readonly damaged = new Map<string, DamagedText>();
	private readonly readBuffers = new ReadBuffers();

	private constructor(
		private readonly source: ArchiveSource,
		private readonly entries: Map<string, DirectoryEntry>,
		private readonly limits: ArchiveLimits,
	) {}

	/** Opens the archive in a file (the downloaded export, perhaps still `arrival`), or in memory. */
	static async open(archive: string | Buffer, limits: ArchiveLimits, arrival?: Arrival): Promise<ExportArchive> {
		const source = typeof archive === 'string' ? await fileSource(archive, arrival) : bufferSource(archive);
		const opened = await ExportArchive.directoryOf(source, limits).then(
			(entries) => ({ entries }),
			(error: unknown) => ({ error }),
		);
		if ('entries' in opened) return new ExportArchive(source, opened.entries, limits);
		await source.close();
		throw opened.error;
	}

	private static async directoryOf(source: ArchiveSource, limits: ArchiveLimits): Promise<Map<string, DirectoryEntry>> {
		if (source.size > limits.maxBytes) {
			throw new ArchiveError(
				`The export archive is ${formatBytes(source.size)}, over the limit of ${formatBytes(limits.maxBytes)}`,
				SIZE_OPTION_HINT,
			);
		}
		const maxDirectoryBytes = (limits.maxFiles + TOP_LEVEL_FILES.size + 64) * DIRECTORY_BYTES_PER_ENTRY;
		const directory = await readDirectory(source, maxDirectoryBytes).catch((error: unknown) => {
			throw directoryError(error, limits);
		});
		return collectEntries(directory, limits);
	}

	/** The archive's size in bytes. */
	get size(): number {
		return this.source.size;
	}

	/** The whole archive, as it was downloaded. */
	rawStream(): Readable {
		return this.source.stream(0, this.source.size);
	}

	async close(): Promise<void> {
		await this.source.close();
	}

	/**
	 * Checks the directory read ahead of a download against the bytes that arrived for it. Should
	 * they not have arrived yet, nothing more of the archive was needed: every entry read was
	 * checked against that directory's CRC-32 as it was.
	 */
	async checkReadAhead(): Promise<void> {
		if (!(await this.source.readAheadMatches())) {
			throw new ArchiveError(
				'The export archive changed while it downloaded: its directory, fetched first, differs from the one that arrived',
				'Run the node again to download a fresh copy; if it happens again, report the batch ID to Prolific support.',
			);
		}
	}

	/** Normalised names of the uploaded files (entries under files/). */
	get fileNames(): string[] {
		return [...this.entries.keys()].filter((name) => isUploadPath(name));
	}

	/** The size an entry declares (and will have, or its stream fails), without inflating it. */
	declaredSize(name: string): number | undefined {
		return this.entries.get(normalisePath(name))?.size;
	}

	has(name: string): boolean {
		return this.entries.has(normalisePath(name));
	}

	/** Whether the archive holds this upload: an entry under files/. */
	hasUpload(name: string): boolean {
		return isUploadPath(name) && this.has(name);
	}

	/**
	 * An entry's bytes as a stream, inflated and checked on the way: the stream fails with an
	 * ArchiveError (after its last good chunk, before it ends) if they are not what the archive
	 * records, so whatever stores it stores nothing. Piped, not iterated, for the uploads: each
	 * chunk costs a callback, not a promise.
	 */
	stream(name: string): Readable {
		const path = normalisePath(name);
		const entry = this.entries.get(path);
		if (!entry) {
			return failed(new ArchiveError(`The export archive has no entry '${path}'`, 'Run the node again to download a fresh export.'));
		}
		// An entry that declares nothing holds nothing, whatever bytes follow its header.
		if (entry.size === 0) return Readable.from([]);
		const checked = this.checking(path, entry);
		// Bytes flow before whoever stores the entry starts reading: a failure meanwhile is kept
		// (`errored`) for that reader, never thrown as uncaught.
		checked.on('error', () => undefined);
		void dataOffset(this.source, entry).then(
			(start) => {
				if (checked.destroyed) return;
				const end = start + entry.compressedSize;
				const fail = (error: Error) => checked.destroy(isZlibError(error) ? corrupt(path, `its compressed data is damaged: ${error.message}`) : error);
				if (entry.method !== DEFLATE) {
					// Stored bytes go on to the binary store as they are: read into buffers of their own.
					const raw = this.source.stream(start, end).on('error', fail);
					checked.on('close', () => raw.destroy());
					raw.pipe(checked);
					return;
				}
				const inflater = inflating(entry.size).on('error', fail);
				checked.on('close', () => inflater.destroy());
				inflater.pipe(checked);
				pump(this.source, start, end, inflater, this.readBuffers, () => checked.destroyed).catch((error: unknown) =>
					fail(error instanceof UnreadableZipError ? unreadable(error) : (error as Error)),
				);
			},
			(error: unknown) => checked.destroy(error instanceof UnreadableZipError ? unreadable(error) : (error as Error)),
		);
		return checked;
	}

	/** An entry's bytes, inflated and checked against its recorded size and checksum. */
	async readBytes(name: string): Promise<Buffer> {
		const chunks: Buffer[] = [];
		for await (const chunk of this.stream(name)) chunks.push(chunk as Buffer);
		return Buffer.concat(chunks);
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
		if (text.includes('\uFFFD')) this.noteDamaged(name, linesNotUtf8(bytes));
		return text.replace(/^\uFEFF/, '');
	}

	/** The text entries read so far that held bytes that are not UTF-8, and on which lines. */
	get damagedText(): DamagedText[] {
		return [...this.damaged.values()];
	}

	/** An entry's JSON Lines, read line by line as it inflates: never one string, whatever its size. */
	async readJsonl<T>(name: string): Promise<T[] | undefined> {
		if (!this.has(name)) return undefined;
		const lines = new JsonlLines<T>(name);
		for await (const chunk of this.stream(name)) lines.push(chunk as Buffer);
		const records = lines.end();
		this.noteDamaged(name, lines.damagedLines);
		return records;
	}

	/** batch.json (or a collection's collection.json), or a bare description when the archive lacks it. */
	async readBatch(name = ARCHIVE_LAYOUT.batch.infoFile): Promise<BatchInfo> {
		const text = await this.readText(name);
		if (text === undefined) return { instructions: [] };
		const [batch] = parseJsonl<BatchInfo>(text, name, { wholeFile: true });
		return { ...batch, instructions: Array.isArray(batch.instructions) ? batch.instructions : pageInstructions(batch) };
	}

	private noteDamaged(name: string, lines: number[]): void {
		if (lines.length) this.damaged.set(normalisePath(name), { file: normalisePath(name), lines });
	}

	/** Counts, limits and checksums an entry's inflated bytes as they pass; checks size and CRC-32 at the end. */
	private checking(path: string, entry: DirectoryEntry): Transform {
		let size = 0;
		let crc = 0;
		return new Transform({
			transform: (chunk: Buffer, _encoding, done) => {
				size += chunk.length;
				this.inflated += chunk.length;
				if (size > entry.size) return done(corrupt(path, `it inflates to more than the ${entry.size} bytes it declares`));
				if (this.inflated > this.limits.maxBytes) {
					return done(
						new ArchiveError(`The export archive inflates to more than ${formatBytes(this.limits.maxBytes)} (stopped at '${path}')`, SIZE_OPTION_HINT),
					);
				}
				crc = crc32(chunk, crc);
				done(null, chunk);
			},
			flush: (done) => {
				if (size !== entry.size) return done(corrupt(path, `it inflated to ${size} bytes but declares ${entry.size}`));
				if (crc !== entry.crc32) return done(corrupt(path, 'its bytes do not match the checksum the archive records for them'));
				done();
			},
		});
	}
}

/** A stream that fails at once, for an entry that is not there. */
function failed(error: Error): Readable {
	return new Readable({ read: () => undefined }).destroy(error).on('error', () => undefined);
}

function collectEntries(directory: DirectoryEntry[], limits: ArchiveLimits): Map<string, DirectoryEntry> {
	const entries = new Map<string, DirectoryEntry>();
	let declaredTotal = 0;
	let others = 0;
	for (const entry of directory) {
		if (entry.isDirectory) continue;
		const path = normalisePath(entry.name);
		if (isUnsafePath(path)) {
			throw new ArchiveError(
				`The export archive contains an unsafe entry name '${path}' (absolute or with '..')`,
				'Prolific never writes such names: the archive did not come from Prolific intact. Nothing was extracted; check where the download URL points.',
			);
		}
		if (entry.encrypted) throw unreadable(new UnreadableZipError(`'${path}' is encrypted`));
		if (entry.method !== STORED && entry.method !== DEFLATE) {
			throw unreadable(new UnreadableZipError(`'${path}' uses compression method ${entry.method}, not DEFLATE`));
		}
		if (!TOP_LEVEL_FILES.has(path) && ++others > limits.maxFiles) {
			throw new ArchiveError(`The export archive holds more than ${limits.maxFiles} files`, MAX_FILES_HINT);
		}
		declaredTotal += entry.size;
		if (declaredTotal > limits.maxBytes) {
			throw new ArchiveError(`The export archive inflates to more than ${formatBytes(limits.maxBytes)}`, SIZE_OPTION_HINT);
		}
		// Two entries of one name: whichever was kept, the other (submissions, an upload) would be lost unseen.
		if (entries.has(path)) {
			throw new ArchiveError(
				`The export archive is corrupt: it holds more than one entry named '${path}'`,
				'Prolific writes each file once, so one of them would be lost. Run the node again to download a fresh copy; if it happens again, report the batch ID to Prolific support.',
			);
		}
		entries.set(path, entry);
	}
	return entries;
}

function directoryError(error: unknown, limits: ArchiveLimits): unknown {
	if (error instanceof DirectoryTooLargeError) {
		return new ArchiveError(`The export archive lists more entries than ${limits.maxFiles} files could need (${error.message})`, MAX_FILES_HINT);
	}
	return error instanceof UnreadableZipError ? unreadable(error) : error;
}

function unreadable(error: UnreadableZipError): ArchiveError {
	return new ArchiveError(
		`The export archive could not be read as a ZIP file (${error.message})`,
		'The download was probably cut short or corrupted. Run the node again to download a fresh copy.',
	);
}

function corrupt(path: string, reason: string): ArchiveError {
	return new ArchiveError(
		`The export archive is corrupt: '${path}' cannot be read (${reason})`,
		'The download was probably damaged. Run the node again to download a fresh copy.',
	);
}

export interface DamagedText {
	file: string;
	/** 1-based, as the errors for malformed lines count them */
	lines: number[];
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
