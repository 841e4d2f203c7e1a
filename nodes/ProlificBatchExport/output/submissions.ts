import type { IDataObject } from 'n8n-workflow';

import { isInstructionResponse, uploadedFiles, type SubmissionRecord } from '../archive/records';
import type { Placed } from './agreement';
import type { Submission } from './contents';
import { keyedByDescription, type DescriptionKeys } from './response-keys';
import type { FileRef, ShapedItem } from './types';

/** Object-typed `responses`, or none: a record without them still yields its item. */
export function submissionResponses(record: SubmissionRecord): Array<[string, Array<[string, unknown]>]> {
	const responses = record.responses;
	if (typeof responses !== 'object' || responses === null) return [];
	return Object.entries(responses).map(([taskId, instructions]) => [
		taskId,
		typeof instructions === 'object' && instructions !== null ? Object.entries(instructions) : [],
	]);
}

/** Every response of these submissions, with the task and instruction it answers. */
export function submissionPlacements(records: SubmissionRecord[]): Placed[] {
	// Loops, not nested flatMaps: this runs once per response of the export.
	const placed: Placed[] = [];
	for (const record of records) {
		for (const [taskId, instructions] of submissionResponses(record)) {
			for (const [id, response] of instructions) placed.push([taskId, id, response]);
		}
	}
	return placed;
}

/** The tasks these submissions answered: those with at least one instruction response. */
export function answeredTasks(records: SubmissionRecord[]): Set<string> {
	const tasks = new Set<string>();
	for (const record of records) {
		for (const [taskId, instructions] of submissionResponses(record)) if (instructions.length) tasks.add(taskId);
	}
	return tasks;
}

export function submissionFileRefs(record: SubmissionRecord, onlyTask?: string): FileRef[] {
	const refs: FileRef[] = [];
	for (const [taskId, instructions] of submissionResponses(record)) {
		if (onlyTask !== undefined && taskId !== onlyTask) continue;
		refs.push(...taskFileRefs(record, taskId, instructions));
	}
	return refs;
}

/**
 * The files of one task's responses, given as submissionResponses lists them: callers that walk
 * a submission task by task (Rows) pass each task's instructions rather than have every call walk
 * the whole submission again.
 */
export function taskFileRefs(record: SubmissionRecord, taskId: string, instructions: Array<[string, unknown]>): FileRef[] {
	const refs: FileRef[] = [];
	for (const [instructionId, response] of instructions) {
		if (!isInstructionResponse(response)) continue;
		for (const file of uploadedFiles(response)) {
			refs.push({
				path: file.path,
				name: file.name,
				submission_id: String(record.submission_id),
				task_id: taskId,
				instruction_id: instructionId,
			});
		}
	}
	return refs;
}

export function submissionClaims(record: SubmissionRecord, onlyTask?: string): Set<string> {
	const claims = new Set([String(record.submission_id)]);
	for (const [taskId, instructions] of submissionResponses(record)) {
		if (onlyTask !== undefined && taskId !== onlyTask) continue;
		addTaskClaims(claims, record, instructions);
	}
	return claims;
}

/** Adds the claims of one task's responses (see taskFileRefs) to a submission's. */
export function addTaskClaims(claims: Set<string>, record: SubmissionRecord, instructions: Array<[string, unknown]>): Set<string> {
	const id = String(record.submission_id);
	for (const [instructionId] of instructions) claims.add(`${id}/${instructionId}`);
	return claims;
}

/**
 * One item per submission: a batch's line of responses-by-submission.jsonl unchanged, or with
 * `keys` its responses keyed by description and their `answers` beside them, per task (`byTask`)
 * or, for a collection, which has none, directly.
 */
export function shapeSubmissions(submissions: Submission[], keys?: DescriptionKeys, byTask = true): ShapedItem[] {
	return submissions.map(({ record, json }) => ({
		json: keys ? { ...(json as IDataObject), ...describedResponses(record, keys, byTask) } : (json as IDataObject),
		files: submissionFileRefs(record),
		claims: () => submissionClaims(record),
	}));
}

function describedResponses(record: SubmissionRecord, keys: DescriptionKeys, byTask: boolean): IDataObject {
	const tasks = submissionResponses(record).map(([taskId, instructions]) => [taskId, keyedByDescription(instructions, keys)] as const);
	if (!byTask) return tasks[0]?.[1] ?? keyedByDescription([], keys);
	return {
		responses: Object.fromEntries(tasks.map(([taskId, { responses }]) => [taskId, responses])),
		answers: Object.fromEntries(tasks.map(([taskId, { answers }]) => [taskId, answers])),
	};
}
