import JSZip from 'jszip';

/** One answer to one instruction. Documented types add value/unit/values/files; unknown types add anything. */
export type Response = { type: string; description: string; [k: string]: unknown };

export interface SubmissionSpec {
	submission_id: string;
	participant_id: string;
	created_at: string;
	/** task_id -> instruction_id -> response */
	responses: Record<string, Record<string, Response>>;
}

export interface InstructionSpec {
	id: string;
	type: string;
	description: string;
	[k: string]: unknown;
}

export interface BatchSpec {
	batch_id: string;
	name: string;
	workspace_id: string;
	/** UNINITIALISED | PROCESSING | READY | ERROR; READY when absent */
	status?: string;
	created_at?: string;
	exported_at: string;
	instructions: InstructionSpec[];
	task_ids: string[];
	submissions: SubmissionSpec[];
	/** archive path (files/<submission>_<instruction>_<index>.<ext>) -> bytes */
	files: Record<string, Buffer>;
	/** the dataset the batch was built from, one row per task (in task_ids' order): its report starts with it */
	dataset?: { columns: string[]; rows: string[][] };
}

export interface ArchiveOptions {
	/** every text entry uses CRLF line endings */
	crlf?: boolean;
	/** every text entry starts with a UTF-8 byte order mark */
	bom?: boolean;
	/** blank lines appended to both JSONL files */
	trailingBlankLines?: number;
	/** added after the documented entries; a name that is already there replaces it */
	extraEntries?: Record<string, Buffer | string>;
	/** entry names to leave out */
	omit?: string[];
	compression?: 'DEFLATE' | 'STORE';
}

/** Builds the export ZIP in the documented layout. Deterministic: the same batch gives the same bytes. */
export async function buildArchive(batch: BatchSpec, opts: ArchiveOptions = {}): Promise<Buffer> {
	const text = (s: string) => (opts.bom ? '\uFEFF' : '') + (opts.crlf ? s.replace(/\n/g, '\r\n') : s);
	// JSON.stringify escapes newlines inside values, so each record stays on one line.
	const jsonl = (records: unknown[]) =>
		text(records.map((r) => JSON.stringify(r) + '\n').join('') + '\n'.repeat(opts.trailingBlankLines ?? 0));

	// A Map keeps insertion order and treats names like "__proto__" as plain keys.
	const entries = new Map<string, Buffer | string>([
		['responses-by-submission.jsonl', jsonl(batch.submissions.map((s) => bySubmission(batch, s)))],
		['responses-by-task.jsonl', jsonl(byTask(batch))],
		['batch.json', text(JSON.stringify(batchJson(batch), null, 2) + '\n')],
		['README.md', text(readme(batch))],
		...Object.entries(batch.files),
		...Object.entries(opts.extraEntries ?? {}),
	]);

	const zip = new JSZip();
	// A fixed date keeps the bytes stable; without it JSZip stamps the current time.
	const date = new Date(batch.exported_at);
	for (const [name, data] of entries) {
		if (!opts.omit?.includes(name)) zip.file(name, data, { date, createFolders: false });
	}
	return zip.generateAsync({ type: 'nodebuffer', compression: opts.compression ?? 'DEFLATE' });
}

function bySubmission(batch: BatchSpec, s: SubmissionSpec) {
	const { submission_id, participant_id, created_at, responses } = s;
	return { submission_id, participant_id, batch_id: batch.batch_id, created_at, responses };
}

/** The same responses regrouped: one record per task, one entry per submission that answered it. */
function byTask(batch: BatchSpec) {
	const taskIds = new Set([...batch.task_ids, ...batch.submissions.flatMap((s) => Object.keys(s.responses))]);
	return [...taskIds].flatMap((task_id) => {
		const responses = batch.submissions
			.filter((s) => s.responses[task_id])
			.map(({ submission_id, participant_id, created_at, responses }) => ({
				submission_id,
				participant_id,
				created_at,
				...responses[task_id],
			}));
		return responses.length ? [{ task_id, batch_id: batch.batch_id, responses }] : [];
	});
}

function batchJson(batch: BatchSpec) {
	return { batch_id: batch.batch_id, name: batch.name, exported_at: batch.exported_at, instructions: batch.instructions };
}

/** The README.md every export carries (exported for the benchmarks' streamed archives). */
export function readme(batch: BatchSpec): string {
	return `# ${batch.name}

Export of batch ${batch.batch_id}, generated ${batch.exported_at}.

- responses-by-submission.jsonl: one record per participant submission
- responses-by-task.jsonl: one record per task
- batch.json: batch metadata and the instruction list
- files/: uploaded files, named {submission_id}_{instruction_id}_{index}.{ext}

## Quick start

\`\`\`python
import pandas as pd

by_submission = pd.read_json("responses-by-submission.jsonl", lines=True)
by_task = pd.read_json("responses-by-task.jsonl", lines=True)
\`\`\`
`;
}
