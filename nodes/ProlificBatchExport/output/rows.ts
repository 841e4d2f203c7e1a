import type { IDataObject } from 'n8n-workflow';

import { isInstructionResponse, type BatchInfo, type SubmissionRecord } from '../archive/records';
import { flattenResponse } from './flatten';
import { submissionClaims, submissionFileRefs, submissionResponses } from './submissions';
import type { ShapedItem } from './types';

export const ROW_FIELDS = ['submission_id', 'participant_id', 'task_id', 'created_at'];
export const ROW_FILES_COLUMN = 'files';

/**
 * One flat item per (submission, task): fixed columns, then one column per instruction named by
 * its description (made unique), in batch.json's order. Every row has every column, so a sheet
 * gets the same header from the first row to the last.
 */
export function shapeRows(records: SubmissionRecord[], batch: BatchInfo, includeFiles: boolean): ShapedItem[] {
	const columns = instructionColumns(records, batch, includeFiles);
	const items: ShapedItem[] = [];
	for (const record of records) {
		for (const [taskId, instructions] of submissionResponses(record)) {
			const answers = new Map(instructions);
			const json = Object.fromEntries([
				['submission_id', record.submission_id],
				['participant_id', record.participant_id ?? ''],
				['task_id', taskId],
				['created_at', record.created_at ?? ''],
				...[...columns].map(([id, column]) => [column, flattenResponse(answers.get(id))]),
			]) as IDataObject;
			items.push({
				json,
				files: submissionFileRefs(record, taskId),
				claims: submissionClaims(record, taskId),
			});
		}
	}
	return items;
}

/** Instruction id -> unique column name; instructions missing from batch.json come last. */
function instructionColumns(records: SubmissionRecord[], batch: BatchInfo, includeFiles: boolean): Map<string, string> {
	const used = new Set(includeFiles ? [...ROW_FIELDS, ROW_FILES_COLUMN] : ROW_FIELDS);
	const columns = new Map<string, string>();
	const add = (id: string, label: unknown) => {
		if (columns.has(id)) return;
		const base = typeof label === 'string' && label.trim() ? label.trim() : id;
		let name = base;
		for (let n = 2; used.has(name); n++) name = `${base} (${n})`;
		used.add(name);
		columns.set(id, name);
	};
	for (const instruction of batch.instructions) {
		if (instruction && typeof instruction.id === 'string') add(instruction.id, instruction.description);
	}
	for (const record of records) {
		for (const [, instructions] of submissionResponses(record)) {
			for (const [id, response] of instructions) {
				if (isInstructionResponse(response)) add(id, response.description);
			}
		}
	}
	return columns;
}
