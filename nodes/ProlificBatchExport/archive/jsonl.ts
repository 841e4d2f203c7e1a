import { ArchiveError } from './errors';

/**
 * Parses JSON Lines as real exports hold them: CRLF or LF, blank lines anywhere (trailing ones
 * are common), every line an object. A bad line fails with its file and line number, since a
 * silently skipped record would be data lost without anyone knowing.
 */
export function parseJsonl<T>(text: string, fileName: string, options: { wholeFile?: boolean } = {}): T[] {
	// Split on LF, a CR trimmed per line (it would show in error texts): a regular expression
	// split is slower on large files.
	const lines = options.wholeFile ? [text] : text.split('\n');
	const records: T[] = [];
	lines.forEach((raw, index) => {
		const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
		if (line.trim() === '') return;
		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch (error) {
			throw malformed(fileName, index, options.wholeFile, (error as Error).message);
		}
		if (typeof value !== 'object' || value === null || Array.isArray(value)) {
			throw malformed(fileName, index, options.wholeFile, 'expected a JSON object');
		}
		if (nestedTooDeep(value)) {
			throw malformed(fileName, index, options.wholeFile, `nested more than ${MAX_DEPTH} levels deep`);
		}
		records.push(value as T);
	});
	if (options.wholeFile && records.length === 0) {
		throw malformed(fileName, 0, true, 'the file is empty');
	}
	return records;
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
