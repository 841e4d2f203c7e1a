import { baseName } from './paths';
import { isInstructionResponse, type InstructionResponse, type SubmissionRecord } from './records';

/** A submission to a collection: shaped like a batch's for the outputs, and as it should be shown. */
export interface CollectionSubmission {
	/** responses keyed by the collection's ID as its one "task", then by instruction */
	record: SubmissionRecord;
	/** the submission with its responses keyed by instruction */
	json: Record<string, unknown>;
}

type Line = Record<string, unknown>;

/**
 * The lines of a collection's responses.jsonl as submissions. Prolific names the file but does
 * not document its lines, so both shapes its API uses are read: one line per submission
 * (responses keyed by instruction, by page then instruction, or listed with their
 * instruction_id), and one line per response ({submission_id, response: {instruction_id, type,
 * answer: [{value}]}}), grouped by submission in the order they first appear.
 */
export function collectionSubmissions(lines: Line[], collectionId: string): CollectionSubmission[] {
	const bySubmission = new Map<string, { head: Line; responses: Map<string, InstructionResponse> }>();
	lines.forEach((line, index) => {
		const id = String(line.submission_id ?? line.id ?? `line-${index + 1}`);
		const entry = bySubmission.get(id) ?? { head: submissionHead(line, id, collectionId), responses: new Map() };
		bySubmission.set(id, entry);
		for (const [instructionId, response] of responsesOf(line)) entry.responses.set(instructionId, response);
	});
	return [...bySubmission.values()].map(({ head, responses }) => {
		const flat = Object.fromEntries(responses);
		return {
			json: { ...head, responses: flat },
			record: { ...head, submission_id: String(head.submission_id), responses: Object.fromEntries([[collectionId, flat]]) },
		};
	});
}

function submissionHead(line: Line, id: string, collectionId: string): Line {
	const { responses: _responses, response: _response, id: _id, ...rest } = line;
	return { ...rest, submission_id: id, collection_id: line.collection_id ?? collectionId };
}

function responsesOf(line: Line): Array<[string, InstructionResponse]> {
	const { responses, response } = line;
	if (isInstructionResponse(response) && typeof response.instruction_id === 'string') {
		return [[response.instruction_id, fromAnswer(response)]];
	}
	if (Array.isArray(responses)) {
		return responses
			.filter((item): item is InstructionResponse => isInstructionResponse(item) && typeof item.instruction_id === 'string')
			.map((item) => [String(item.instruction_id), fromAnswer(item)]);
	}
	if (typeof responses !== 'object' || responses === null) return [];
	return Object.entries(responses).flatMap(([key, value]): Array<[string, InstructionResponse]> => {
		if (isInstructionResponse(value)) return [[key, value]];
		// A page (or task) of instructions.
		return typeof value === 'object' && value !== null
			? Object.entries(value).filter((entry): entry is [string, InstructionResponse] => isInstructionResponse(entry[1]))
			: [];
	});
}

/**
 * The API's `answer: [{value}]` as the export's documented value fields, keeping `answer`:
 * text types get `value`, choices `values`, uploads `files`.
 */
function fromAnswer(response: InstructionResponse): InstructionResponse {
	if (!Array.isArray(response.answer)) return response;
	const values = response.answer.map((item) => (typeof item === 'object' && item !== null ? (item as { value?: unknown }).value : item));
	switch (response.type) {
		case 'free_text':
		case 'free_text_with_unit':
			return { value: values[0], ...response };
		case 'multiple_choice':
		case 'multiple_choice_with_free_text':
			return { values, ...response };
		case 'file_upload':
			return {
				files: values.map((value) =>
					typeof value === 'string' ? { name: baseName(value), path: value } : (value as Record<string, unknown>),
				),
				...response,
			};
		default:
			return response;
	}
}
