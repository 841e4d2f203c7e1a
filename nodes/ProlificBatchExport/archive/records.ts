import { baseName } from './paths';

/** Shapes of the archive's records, as Prolific documents them. Unknown fields pass through. */

export interface UploadedFile {
	name: string;
	path: string;
}

export interface InstructionResponse {
	type: string;
	description?: string;
	value?: unknown;
	unit?: unknown;
	values?: unknown;
	files?: unknown;
	[field: string]: unknown;
}

/** One line of responses-by-submission.jsonl. */
export interface SubmissionRecord {
	submission_id: string;
	participant_id?: string;
	batch_id?: string;
	created_at?: string;
	responses: Record<string, Record<string, InstructionResponse>>;
	[field: string]: unknown;
}

/** One entry of a task record's `responses`: submission fields plus instruction id keys. */
export interface TaskResponse {
	submission_id: string;
	participant_id?: string;
	created_at?: string;
	[instructionIdOrField: string]: unknown;
}

/** One line of responses-by-task.jsonl. */
export interface TaskRecord {
	task_id: string;
	batch_id?: string;
	responses: TaskResponse[];
	[field: string]: unknown;
}

export interface Instruction {
	id: string;
	type: string;
	description: string;
	[field: string]: unknown;
}

/** batch.json */
export interface BatchInfo {
	batch_id?: string;
	name?: string;
	exported_at?: string;
	instructions: Instruction[];
	[field: string]: unknown;
}

const NO_FILES: readonly UploadedFile[] = Object.freeze([]);

/** A task response's own fields; the rest are its instructions. */
export const TASK_RESPONSE_FIELDS = new Set(['submission_id', 'participant_id', 'created_at']);

export function isInstructionResponse(value: unknown): value is InstructionResponse {
	return typeof value === 'object' && value !== null && typeof (value as InstructionResponse).type === 'string';
}

/** The instruction responses inside one entry of a task record, keyed by instruction id. */
export function taskResponseInstructions(response: TaskResponse): Array<[string, InstructionResponse]> {
	return Object.entries(response).filter(
		(entry): entry is [string, InstructionResponse] =>
			!TASK_RESPONSE_FIELDS.has(entry[0]) && isInstructionResponse(entry[1]),
	);
}

/**
 * Uploaded files of a response, whatever its type: any `files` list of {name, path}. A file
 * without a usable name is named after its path.
 */
export function uploadedFiles(response: InstructionResponse): readonly UploadedFile[] {
	// Most responses carry no files: one shared empty list rather than a new one for each.
	if (!Array.isArray(response.files)) return NO_FILES;
	return response.files
		.filter(
			(file): file is UploadedFile =>
				typeof file === 'object' && file !== null && typeof (file as UploadedFile).path === 'string',
		)
		.map((file) => ({
			name: typeof file.name === 'string' && file.name.trim() ? file.name : baseName(file.path),
			path: file.path,
		}));
}
