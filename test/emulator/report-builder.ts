import type { BatchSpec, Response } from './archive-builder';

/** How the report may differ from a clean CSV. */
export interface ReportOptions {
	/** LF line ends instead of CRLF */
	lf?: boolean;
	/** no UTF-8 byte order mark */
	noBom?: boolean;
}

/**
 * The batch report as Prolific describes it, "your original dataset with additional columns for
 * participant responses": one row per task and submission (a task nobody answered keeps its
 * dataset row with empty responses), the dataset's columns first, then who answered and one
 * column per instruction, named by its description. Its real columns are not documented: these
 * are a plausible guess, and the node assumes nothing about them. RFC 4180, CRLF, with a BOM.
 */
export function buildReport(batch: BatchSpec, opts: ReportOptions = {}): Buffer {
	return csvBytes(reportRecords(batch), opts);
}

function reportRecords(batch: BatchSpec): string[][] {
	const dataset = batch.dataset ?? { columns: [], rows: [] };
	const header = [...dataset.columns, 'task_id', 'participant_id', 'submission_id', ...batch.instructions.map((i) => i.description)];
	const rows = batch.task_ids.flatMap((taskId, t) => {
		const data = dataset.rows[t] ?? dataset.columns.map(() => '');
		const answered = batch.submissions.filter((s) => s.responses[taskId]);
		if (!answered.length) return [[...data, taskId, '', '', ...batch.instructions.map(() => '')]];
		return answered.map((s) => [
			...data,
			taskId,
			s.participant_id,
			s.submission_id,
			...batch.instructions.map((i) => cell(s.responses[taskId][i.id])),
		]);
	});
	return [header, ...rows];
}

/** RFC 4180: a cell with a comma, a quote or a line break is quoted, its quotes doubled. */
export function csvBytes(records: string[][], opts: ReportOptions = {}): Buffer {
	const quoted = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
	const eol = opts.lf ? '\n' : '\r\n';
	const text = records.map((record) => record.map(quoted).join(',') + eol).join('');
	return Buffer.from((opts.noBom ? '' : '\uFEFF') + text, 'utf8');
}

/** A response as one cell: its value and unit, its options, its files' names, or its one list. */
function cell(response: Response | undefined): string {
	if (!response) return '';
	const { type: _type, description: _description, value, unit, values, files, ...rest } = response;
	if (value !== undefined) return [value, unit].filter((part) => part !== undefined && part !== '').join(' ');
	const label = (v: unknown) => (typeof v === 'object' && v !== null ? String((v as { option?: unknown }).option) : String(v));
	if (Array.isArray(values)) return values.map(label).join(', ');
	if (Array.isArray(files)) return files.map((f: { name: string }) => f.name).join(', ');
	return Object.values(rest).flat().map(String).join(', ');
}

/** What a broken report looks like: the emulator serves these in its place when told to. */
export function brokenReport(batch: BatchSpec, how: 'html' | 'json' | 'ragged' | 'empty'): Buffer {
	if (how === 'empty') return Buffer.alloc(0);
	if (how === 'html') {
		return Buffer.from('<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form action="/login">Sign in to continue</form></body></html>\n');
	}
	if (how === 'json') return Buffer.from(JSON.stringify({ error: { status: 409, title: 'Conflict', detail: 'The report is still being generated.' } }));
	// The last row loses its last cell.
	const records = reportRecords(batch);
	return csvBytes([...records.slice(0, -1), records[records.length - 1].slice(0, -1)]);
}
