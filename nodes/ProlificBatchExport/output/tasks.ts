import type { IDataObject } from 'n8n-workflow';

import {
	TASK_RESPONSE_FIELDS,
	taskResponseInstructions,
	uploadedFiles,
	type InstructionResponse,
	type TaskRecord,
	type TaskResponse,
} from '../archive/records';
import { choiceGroups, groupChoices, instructionAgreement, tally, tallyJson, type AnswerLimits, type ChoiceGroup, type Placed } from './agreement';
import { keyedByDescription, type DescriptionKeys } from './response-keys';
import type { FileRef, ShapedItem } from './types';

/** The names a task response's instructions share it with, when they are keyed by description. */
export const TASK_RESPONSE_NAMES = [...TASK_RESPONSE_FIELDS, 'answers'];

/**
 * One item per line of responses-by-task.jsonl, the record unchanged; with agreement, plus how
 * the responses to each choice instruction split; with `keys`, each response's instructions
 * keyed by description and its `answers` beside them.
 */
export function shapeTasks(records: TaskRecord[], groups?: Map<string, ChoiceGroup>, keys?: DescriptionKeys): ShapedItem[] {
	return records.map((record) => {
		const responses = responsesOf(record);
		const files: FileRef[] = [];
		for (const [submissionId, instructions] of responses) {
			for (const [instructionId, instruction] of instructions) {
				for (const file of uploadedFiles(instruction)) {
					files.push({
						path: file.path,
						name: file.name,
						submission_id: submissionId,
						task_id: String(record.task_id),
						instruction_id: instructionId,
					});
				}
			}
		}
		const claims = () =>
			new Set(responses.flatMap(([submissionId, instructions]) => [submissionId, ...instructions.map(([id]) => `${submissionId}/${id}`)]));
		const keyed =
			keys && Array.isArray(record.responses)
				? { ...record, responses: record.responses.map((response) => describedResponse(response, keys)) }
				: record;
		const json = groups ? { ...keyed, agreement: taskAgreement(placedIn(record, responses), groups) } : keyed;
		return { json: json as IDataObject, files, claims };
	});
}

/** A task record's responses that are objects, each with its submission's ID and its instructions. */
function responsesOf(record: TaskRecord): Array<[string, Array<[string, InstructionResponse]>]> {
	const responses = Array.isArray(record.responses) ? record.responses : [];
	return responses
		.filter((response) => typeof response === 'object' && response !== null)
		.map((response) => [String(response.submission_id), taskResponseInstructions(response)]);
}

/** One task record's responses (as responsesOf gives them), placed by task and instruction. */
function placedIn(record: TaskRecord, responses: ReturnType<typeof responsesOf>): Placed[] {
	const taskId = String(record.task_id);
	return responses.flatMap(([, instructions]) => instructions.map(([id, instruction]): Placed => [taskId, id, instruction]));
}

/** One task's figures; whether an instruction is select all that apply was decided over the whole batch. */
function taskAgreement(placed: Placed[], batch: Map<string, ChoiceGroup>): IDataObject[] {
	return [...groupChoices(placed)].map(([instructionId, byTask]) =>
		describe(instructionId, byTask, (responses) => tallyJson(tally(responses), batch.get(instructionId)?.selectAll ?? false)),
	);
}

/** A task response with its instructions keyed by description, then their answers; other fields as they were. */
function describedResponse(response: unknown, keys: DescriptionKeys): unknown {
	if (typeof response !== 'object' || response === null) return response;
	const instructions = taskResponseInstructions(response as TaskResponse);
	const ids = new Set(instructions.map(([id]) => id));
	const fields = Object.entries(response).filter(([name]) => !ids.has(name));
	const { responses, answers } = keyedByDescription(instructions, keys);
	return { ...Object.fromEntries(fields), ...responses, answers };
}

/** Every response of these tasks, placed by task and instruction. */
export function taskPlacements(tasks: TaskRecord[]): Placed[] {
	return tasks.flatMap((record) => placedIn(record, responsesOf(record)));
}

/** The batch's choice instructions, each with its responses by task. */
export function taskChoiceGroups(tasks: TaskRecord[], limits: AnswerLimits): Map<string, ChoiceGroup> {
	return choiceGroups(taskPlacements(tasks), limits);
}

/** Per choice instruction, agreement across all tasks: Fleiss' kappa and the figures behind it. */
export function batchAgreement(groups: Map<string, ChoiceGroup>): IDataObject[] {
	return [...groups].map(([instructionId, group]) =>
		describe(instructionId, group.byTask, () => instructionAgreement(group)),
	);
}

/** An instruction named as its responses describe it, with figures about them. */
function describe(
	instructionId: string,
	byTask: Map<string, InstructionResponse[]>,
	figures: (responses: InstructionResponse[]) => IDataObject,
): IDataObject {
	const responses = [...byTask.values()].flat();
	return {
		instruction_id: instructionId,
		description: responses[0]?.description ?? null,
		type: responses[0]?.type ?? null,
		...figures(responses),
	};
}
