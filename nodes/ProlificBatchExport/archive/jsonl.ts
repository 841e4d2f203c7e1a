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
		records.push(value as T);
	});
	if (options.wholeFile && records.length === 0) {
		throw malformed(fileName, 0, true, 'the file is empty');
	}
	return records;
}

function malformed(fileName: string, index: number, wholeFile: boolean | undefined, reason: string): ArchiveError {
	const where = wholeFile ? fileName : `line ${index + 1} of ${fileName}`;
	return new ArchiveError(
		`The export archive is malformed: ${where} is not valid JSON (${reason})`,
		'Prolific writes one JSON object per line. Run the node again for a fresh export; if it happens again, report the batch ID to Prolific support.',
	);
}
