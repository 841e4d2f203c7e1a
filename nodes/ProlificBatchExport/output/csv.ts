// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- RFC 4180 CSV (quoted cells, newlines in cells, BOM, CRLF) is csv-parse's job, as in n8n itself
import { CsvError, parse } from 'csv-parse';

// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- the report streams from its temporary file into the parser
import { pipeline } from 'node:stream/promises';

import type { ArchiveSource } from '../archive/source';
import { prolificErrorText } from '../transport/errors';

/** A report that cannot be read as CSV. `hint` says what to do; the node turns it into an n8n error. */
export class ReportError extends Error {
	constructor(
		message: string,
		readonly hint: string,
	) {
		super(message);
		this.name = 'ReportError';
	}
}

const REPORT_AGAIN =
	'Run the node again for a fresh copy of the report; if it happens again, report the batch ID to Prolific support.';
/** Error documents are small; a larger body starting with `{` is not one. */
const MAX_ERROR_DOCUMENT = 1024 * 1024;

/**
 * Every record of a CSV, in order, handed to `onRecord` as it is parsed: quoted cells with
 * commas, quotes and newlines, a UTF-8 byte order mark, CRLF or LF line ends. Every record must
 * have as many cells as the first (the header); blank lines carry no record. A body that is an
 * HTML page or a JSON document, as a proxy or a storage host may send instead, is refused. The
 * CSV is read from its file as a stream: only a few rows are in memory at a time.
 */
export async function readCsv(csv: ArchiveSource, onRecord: (cells: string[]) => void): Promise<void> {
	await refuseNonCsv(csv);
	const parser = parse({ bom: true, skip_empty_lines: true, relax_column_count: false, relax_quotes: false });
	let width: number | undefined;
	parser.on('data', (cells: string[]) => {
		width ??= cells.length;
		onRecord(cells);
	});
	// pipeline waits while the parser's records are consumed: only a few rows are in flight.
	await pipeline(csv.stream(0, csv.size), parser).catch(async (error: unknown) => {
		throw await invalidCsv(error, csv, width);
	});
}

async function invalidCsv(error: unknown, csv: ArchiveSource, width: number | undefined): Promise<unknown> {
	if (!(error instanceof CsvError)) return error;
	const { bytes, record } = error as CsvError & { bytes?: number; record?: unknown[] };
	if (error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && Array.isArray(record) && bytes !== undefined) {
		return new ReportError(
			`The batch report is not valid CSV: the row ending on line ${lineAt(await csv.read(0, bytes), bytes)} has ${record.length} cell${record.length === 1 ? '' : 's'} where the header has ${width}`,
			`Every row of the report has as many cells as its header. ${REPORT_AGAIN}`,
		);
	}
	return new ReportError(`The batch report is not valid CSV: ${error.message}`, REPORT_AGAIN);
}

/**
 * The line a record ends on, from the bytes parsed up to its end. csv-parse's own line count
 * counts a CRLF inside a quoted cell twice.
 */
function lineAt(csv: Buffer, end: number): number {
	let last = end;
	while (last > 0 && (csv[last - 1] === 0x0a || csv[last - 1] === 0x0d)) last--;
	let lines = 1;
	for (let at = csv.indexOf(0x0a); at !== -1 && at < last; at = csv.indexOf(0x0a, at + 1)) lines++;
	return lines;
}

/** HTML or JSON where CSV was expected: a sign-in page, a proxy's error page, an API error. */
async function refuseNonCsv(csv: ArchiveSource): Promise<void> {
	const start = (await csv.read(0, 512)).toString('utf8').replace(/^\uFEFF/, '').trimStart();
	if (/^<(!doctype|html|head|body|\?xml)\b/i.test(start)) {
		throw new ReportError(
			`The batch report is not CSV: the storage host sent ${/^<\?xml/i.test(start) ? 'an XML document' : 'an HTML page'} instead`,
			`A proxy or the storage host answered in its place. ${REPORT_AGAIN}`,
		);
	}
	if (/^[{[]/.test(start) && csv.size <= MAX_ERROR_DOCUMENT) {
		const document = parsedJson((await csv.read(0, csv.size)).toString('utf8').replace(/^\uFEFF/, ''));
		if (document === undefined) return;
		const said = prolificErrorText(document);
		throw new ReportError(
			`The batch report is not CSV: the storage host sent JSON instead${said ? ` ("${said.slice(0, 300)}")` : ''}`,
			`The report may not be ready yet. ${REPORT_AGAIN}`,
		);
	}
}

function parsedJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}
