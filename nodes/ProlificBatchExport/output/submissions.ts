import type { IDataObject } from 'n8n-workflow';

import { isInstructionResponse, uploadedFiles, type SubmissionRecord } from '../archive/records';
import type { Submission } from './contents';
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

export function submissionFileRefs(record: SubmissionRecord, onlyTask?: string): FileRef[] {
	const refs: FileRef[] = [];
	for (const [taskId, instructions] of submissionResponses(record)) {
		if (onlyTask !== undefined && taskId !== onlyTask) continue;
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
	}
	return refs;
}

export function submissionClaims(record: SubmissionRecord, onlyTask?: string): Set<string> {
	const id = String(record.submission_id);
	const claims = new Set([id]);
	for (const [taskId, instructions] of submissionResponses(record)) {
		if (onlyTask !== undefined && taskId !== onlyTask) continue;
		for (const [instructionId] of instructions) claims.add(`${id}/${instructionId}`);
	}
	return claims;
}

/** One item per submission: a batch's line of responses-by-submission.jsonl unchanged. */
export function shapeSubmissions(submissions: Submission[]): ShapedItem[] {
	return submissions.map(({ record, json }) => ({
		json: json as IDataObject,
		files: submissionFileRefs(record),
		claims: submissionClaims(record),
	}));
}
