import { ArchiveError } from './errors';
import { isUtf8 } from './utf8';

/**
 * Parses JSON Lines as real exports hold them: CRLF or LF, blank lines anywhere (trailing ones
 * are common), every line an object. A bad line fails with its file and line number, since a
 * silently skipped record would be data lost without anyone knowing.
 */
export function parseJsonl<T>(text: string, fileName: string, options: { wholeFile?: boolean } = {}): T[] {
	if (options.wholeFile) {
		const record = parseRecord<T>(text, fileName, 0, true);
		if (record === undefined) throw malformed(fileName, 0, true, 'the file is empty');
		return [record];
	}
	const lines = new JsonlLines<T>(fileName);
	lines.push(Buffer.from(text));
	return lines.end();
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * JSON Lines read chunk by chunk from an inflating entry, so a file of any size is never one
 * string: each line is decoded and parsed as soon as its end arrives. Splitting on the LF byte is
 * safe in UTF-8, where it never occurs inside a character. Lines whose bytes are not UTF-8 read
 * as U+FFFD, as any text editor shows them, and are listed in `damagedLines`.
 */
export class JsonlLines<T> {
	private readonly records: T[] = [];
	/** 1-based, as the errors for malformed lines count them */
	readonly damagedLines: number[] = [];
	private pending: Buffer[] = [];
	private index = 0;

	constructor(private readonly fileName: string) {}

	push(chunk: Buffer): void {
		let from = 0;
		for (let at = chunk.indexOf(LF); at >= 0; at = chunk.indexOf(LF, from)) {
			const line = this.pending.length ? Buffer.concat([...this.pending, chunk.subarray(from, at)]) : chunk.subarray(from, at);
			this.pending = [];
			this.line(line);
			from = at + 1;
		}
		if (from < chunk.length) this.pending.push(chunk.subarray(from));
	}

	end(): T[] {
		if (this.pending.length) this.line(Buffer.concat(this.pending));
		this.pending = [];
		return this.records;
	}

	private line(bytes: Buffer): void {
		// A CR is trimmed (it would show in error texts), and the file's byte order mark.
		let text = bytes.toString('utf8', 0, bytes.at(-1) === CR ? bytes.length - 1 : bytes.length);
		if (this.index === 0) text = text.replace(/^\uFEFF/, '');
		// A U+FFFD is either in the data or what undecodable bytes became: only the bytes can say which.
		if (text.includes('\uFFFD') && !isUtf8(bytes)) this.damagedLines.push(this.index + 1);
		const record = parseRecord<T>(text, this.fileName, this.index++, false);
		if (record !== undefined) this.records.push(record);
	}
}

/** One line's record, or undefined for a blank line. */
function parseRecord<T>(line: string, fileName: string, index: number, wholeFile: boolean): T | undefined {
	if (line.trim() === '') return undefined;
	let value: unknown;
	try {
		value = JSON.parse(line);
	} catch (error) {
		throw malformed(fileName, index, wholeFile, (error as Error).message);
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw malformed(fileName, index, wholeFile, 'expected a JSON object');
	}
	const found = scan(value);
	if (found & TOO_DEEP) throw malformed(fileName, index, wholeFile, `nested more than ${MAX_DEPTH} levels deep`);
	// Rare, so the line is parsed a second time rather than every line being searched first.
	if (found & BIG_ID) value = JSON.parse(withExactIds(line));
	return value as T;
}

/**
 * Far deeper than any record Prolific writes, and shallow enough for what comes after: a value
 * nested thousands of levels deep overflows the stack of every recursive copy or JSON.stringify
 * (the Rows output's cells, n8n saving the execution).
 */
const MAX_DEPTH = 100;

const TOO_DEEP = 1;
const BIG_ID = 2;

/** `id` and `…_id` fields name submissions, participants, tasks: never a quantity. */
function isIdKey(key: string): boolean {
	return key === 'id' || key.endsWith('_id');
}

/**
 * One walk over a parsed record: TOO_DEEP when it nests past MAX_DEPTH, BIG_ID when an ID was
 * written as a JSON number beyond 2^53, which a JavaScript number cannot hold exactly (two
 * participants could end up with one ID). Recursion is safe: it stops at MAX_DEPTH, long before
 * the stack would run out.
 */
function scan(value: unknown, depth = 1): number {
	if (typeof value !== 'object' || value === null) return 0;
	if (depth > MAX_DEPTH) return TOO_DEEP;
	let found = 0;
	if (Array.isArray(value)) {
		for (const child of value) if ((found |= scan(child, depth + 1)) & TOO_DEEP) return found;
		return found;
	}
	for (const key in value) {
		if (!Object.hasOwn(value, key)) continue;
		const child = (value as Record<string, unknown>)[key];
		if (typeof child !== 'number') {
			if ((found |= scan(child, depth + 1)) & TOO_DEEP) return found;
		} else if (Number.isInteger(child) && !Number.isSafeInteger(child) && isIdKey(key)) {
			found |= BIG_ID;
		}
	}
	return found;
}

/**
 * Every JSON string, and when it is a key followed by an integer of 16 digits or more, that
 * integer. Matching whole strings from the start keeps anything inside a string out of reach.
 */
const KEYED_INTEGER = /("[^"\\]*(?:\\.[^"\\]*)*")(?:(\s*:\s*)(-?\d{16,})(?![\d.eE]))?/g;

/** The JSON with IDs beyond 2^53 quoted: they parse as strings holding their exact digits. */
function withExactIds(json: string): string {
	return json.replace(KEYED_INTEGER, (whole, key: string, colon?: string, digits?: string) =>
		digits !== undefined && isIdKey(JSON.parse(key) as string) && !Number.isSafeInteger(Number(digits))
			? `${key}${colon}"${digits}"`
			: whole,
	);
}

function malformed(fileName: string, index: number, wholeFile: boolean | undefined, reason: string): ArchiveError {
	const where = wholeFile ? fileName : `line ${index + 1} of ${fileName}`;
	return new ArchiveError(
		`The export archive is malformed: ${where} is not valid JSON (${reason})`,
		'Prolific writes one JSON object per line. Run the node again for a fresh export; if it happens again, report the batch ID to Prolific support.',
	);
}
