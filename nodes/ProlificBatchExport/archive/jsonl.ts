import { ArchiveError } from './errors';

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

/**
 * JSON Lines read chunk by chunk from an inflating entry, so a file of any size is never one
 * string: each line is decoded and parsed as soon as its end arrives. Splitting on the LF byte is
 * safe in UTF-8, where it never occurs inside a character.
 */
export class JsonlLines<T> {
	private readonly records: T[] = [];
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
		let text = bytes.toString('utf8', 0, bytes.at(-1) === 0x0d ? bytes.length - 1 : bytes.length);
		if (this.index === 0) text = text.replace(/^\uFEFF/, '');
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
	if (nestedTooDeep(value)) {
		throw malformed(fileName, index, wholeFile, `nested more than ${MAX_DEPTH} levels deep`);
	}
	return value as T;
}

/**
 * Far deeper than any record Prolific writes, and shallow enough for what comes after: a value
 * nested thousands of levels deep overflows the stack of every recursive copy or JSON.stringify
 * (the Rows output's cells, n8n saving the execution).
 */
const MAX_DEPTH = 100;

/** Recursion is safe here because it stops at MAX_DEPTH, long before the stack would run out. */
function nestedTooDeep(value: unknown, depth = 1): boolean {
	if (typeof value !== 'object' || value === null) return false;
	if (depth > MAX_DEPTH) return true;
	if (Array.isArray(value)) return value.some((child) => nestedTooDeep(child, depth + 1));
	for (const key in value) {
		if (Object.hasOwn(value, key) && nestedTooDeep((value as Record<string, unknown>)[key], depth + 1)) return true;
	}
	return false;
}

function malformed(fileName: string, index: number, wholeFile: boolean | undefined, reason: string): ArchiveError {
	const where = wholeFile ? fileName : `line ${index + 1} of ${fileName}`;
	return new ArchiveError(
		`The export archive is malformed: ${where} is not valid JSON (${reason})`,
		'Prolific writes one JSON object per line. Run the node again for a fresh export; if it happens again, report the batch ID to Prolific support.',
	);
}
