import type { IDataObject } from 'n8n-workflow';

import type { BatchInfo, SubmissionRecord } from '../archive/records';
import { groupChoices, majority, tally, type Placed, type Tally } from './agreement';
import { flattenResponse } from './flatten';
import { instructionName, knownInstructions, setOwn, uniqueNamer, type KnownInstruction } from './instructions';
import { addTaskClaims, submissionPlacements, submissionResponses, taskFileRefs } from './submissions';
import type { ShapedItem } from './types';

export const ROW_FILES_COLUMN = 'files';

/** A column after the fixed ones: an instruction's answer, or (with agreement) its task's majority. */
interface Column {
	name: string;
	instructionId: string;
	kind: 'answer' | 'majority' | 'share';
}

/**
 * One flat item per (submission, task): fixed columns, then one column per instruction named by
 * its description (made unique), in batch.json's order. Every row has every column, so a sheet
 * gets the same header from the first row to the last. With agreement, each choice instruction
 * gets two more columns: its task's majority option(s) and their share of the responses.
 */
export function shapeRows(
	records: SubmissionRecord[],
	batch: BatchInfo,
	includeFiles: boolean,
	withAgreement = false,
	/** A collection's rows name its ID where a batch's name the task. */
	taskColumn = 'task_id',
): ShapedItem[] {
	const placed = submissionPlacements(records);
	const tallies = withAgreement ? tallyByTask(placed) : new Map<string, Tally>();
	const fixed = ['submission_id', 'participant_id', taskColumn, 'created_at'];
	const choices = new Set([...tallies.keys()].map((key) => key.split('/')[1]));
	const known = knownInstructions(batch, placed);
	const columns = rowColumns(known, includeFiles ? [...fixed, ROW_FILES_COLUMN] : fixed, choices);
	const items: ShapedItem[] = [];
	for (const record of records) {
		for (const [taskId, instructions] of submissionResponses(record)) {
			// Assigned in the same order for every row, so all rows share one object shape.
			const json: IDataObject = {
				submission_id: record.submission_id,
				participant_id: record.participant_id ?? '',
				[taskColumn]: taskId,
				created_at: record.created_at ?? '',
			};
			for (const column of columns) setOwn(json, column.name, cellOf(column, taskId, instructions, tallies));
			items.push({
				json,
				files: includeFiles ? taskFileRefs(record, taskId, instructions) : [],
				claims: () => addTaskClaims(new Set([String(record.submission_id)]), record, instructions),
			});
		}
	}
	return items;
}

/** A row's cell: the answer to the column's instruction, or (with agreement) its task's majority or share. */
function cellOf(column: Column, taskId: string, instructions: Array<[string, unknown]>, tallies: Map<string, Tally>): IDataObject[string] {
	if (column.kind === 'answer') return flattenResponse(instructions.find(([id]) => id === column.instructionId)?.[1]);
	const tallied = tallies.get(`${taskId}/${column.instructionId}`);
	if (!tallied) return '';
	const { majority: options, majority_share: share } = majority(tallied);
	return column.kind === 'majority' ? options.join(', ') : (share ?? '');
}

/** Choice responses tallied per `<task>/<instruction>`. */
function tallyByTask(placed: Placed[]): Map<string, Tally> {
	const tallies = new Map<string, Tally>();
	for (const [instructionId, byTask] of groupChoices(placed)) {
		for (const [taskId, responses] of byTask) tallies.set(`${taskId}/${instructionId}`, tally(responses));
	}
	return tallies;
}

/** Columns with unique names, in the instructions' order. */
function rowColumns(known: Map<string, KnownInstruction>, taken: string[], choices: Set<string>): Column[] {
	const unique = uniqueNamer(taken);
	const columns: Column[] = [];
	for (const [id, instruction] of known) {
		const name = unique(instructionName(instruction, id));
		columns.push({ name, instructionId: id, kind: 'answer' });
		if (choices.has(id)) {
			columns.push({ name: unique(`${name} (majority)`), instructionId: id, kind: 'majority' });
			columns.push({ name: unique(`${name} (majority share)`), instructionId: id, kind: 'share' });
		}
	}
	return columns;
}
