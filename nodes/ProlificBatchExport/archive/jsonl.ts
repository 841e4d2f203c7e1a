import { ArchiveError } from './errors';

/**
 * Parses JSON Lines as real exports hold them: CRLF or LF, blank lines anywhere (trailing ones
 * are common), every line an object. A bad line fails with its file and line number, since a
 * silently skipped record would be data lost without anyone knowing.
 */
export function parseJsonl<T>(text: string, fileName: string, options: { wholeFile?: boolean } = {}): T[] {
	const lines = options.wholeFile ? [text] : text.split(/\r?\n/);
	const records: T[] = [];
	lines.forEach((line, index) => {
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

/** Walks the value with its own stack, since recursion is what deep nesting breaks. */
function nestedTooDeep(value: object): boolean {
	const pending: Array<[unknown, number]> = [[value, 1]];
	for (let next = pending.pop(); next; next = pending.pop()) {
		const [current, depth] = next;
		if (typeof current !== 'object' || current === null) continue;
		if (depth > MAX_DEPTH) return true;
		for (const child of Object.values(current)) pending.push([child, depth + 1]);
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
