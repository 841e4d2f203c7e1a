import type { IDataObject } from 'n8n-workflow';

import type { BatchInfo, SubmissionRecord } from '../archive/records';
import { choiceGroups, majority, pairAgreement, tally, type Placed, type Tally } from './agreement';
import { flattenResponse } from './flatten';
import { answerLimits, instructionName, knownInstructions, setOwn, uniqueNamer, type KnownInstruction } from './instructions';
import { addTaskClaims, submissionPlacements, submissionResponses, taskFileRefs } from './submissions';
import type { ShapedItem } from './types';

export const ROW_FILES_COLUMN = 'files';

/** A column after the fixed ones: an instruction's answer, or (with agreement) a figure of its task's responses. */
interface Column {
	name: string;
	instructionId: string;
	kind: 'answer' | 'majority' | 'share' | 'pairs';
}

/** A task's responses to one choice instruction, and whether it is select all that apply. */
interface TaskTally {
	tallied: Tally;
	selectAll: boolean;
}

/**
 * One flat item per (submission, task): fixed columns, then one column per instruction named by
 * its description (made unique), in batch.json's order. Every row has every column, so a sheet
 * gets the same header from the first row to the last. With agreement, each choice instruction
 * gets three more columns: its task's majority option(s), their share of the responses, and the
 * share of pairs of the task's participants that agree.
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
	const tallies = withAgreement ? tallyByTask(placed, batch) : new Map<string, TaskTally>();
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
function cellOf(column: Column, taskId: string, instructions: Array<[string, unknown]>, tallies: Map<string, TaskTally>): IDataObject[string] {
	if (column.kind === 'answer') return flattenResponse(instructions.find(([id]) => id === column.instructionId)?.[1]);
	const task = tallies.get(`${taskId}/${column.instructionId}`);
	if (!task) return '';
	if (column.kind === 'pairs') return pairAgreement(task.tallied, task.selectAll) ?? '';
	const { majority: options, majority_share: share } = majority(task.tallied);
	return column.kind === 'majority' ? options.join(', ') : (share ?? '');
}

/** Choice responses tallied per `<task>/<instruction>`. */
function tallyByTask(placed: Placed[], batch: BatchInfo): Map<string, TaskTally> {
	const tallies = new Map<string, TaskTally>();
	for (const [instructionId, { byTask, selectAll }] of choiceGroups(placed, answerLimits(batch))) {
		for (const [taskId, responses] of byTask) tallies.set(`${taskId}/${instructionId}`, { tallied: tally(responses), selectAll });
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
			columns.push({ name: unique(`${name} (pair agreement)`), instructionId: id, kind: 'pairs' });
		}
	}
	return columns;
}
