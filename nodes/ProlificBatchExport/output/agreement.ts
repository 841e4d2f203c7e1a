import type { IDataObject } from 'n8n-workflow';

import { isInstructionResponse, type InstructionResponse } from '../archive/records';
import { fleiss, perOption, round } from './kappa';

/** Instruction types whose responses are choices among options, and so can agree. */
const CHOICE_TYPES = new Set(['multiple_choice', 'multiple_choice_with_free_text']);

export function isChoice(response: unknown): response is InstructionResponse {
	return isInstructionResponse(response) && CHOICE_TYPES.has(response.type);
}

/** The options a choice response picked, as text (option values may be numbers or booleans). */
export function chosenOptions(response: InstructionResponse): string[] {
	const values = Array.isArray(response.values) ? response.values : [];
	return values.map((value) =>
		typeof value === 'object' && value !== null && 'option' in value
			? String((value as { option: unknown }).option)
			: String(value),
	);
}

/** The options a choice response picked, each once. */
function distinctOptions(response: InstructionResponse): string[] {
	const options = chosenOptions(response);
	return options.length < 2 ? options : [...new Set(options)];
}

/** How the responses to one choice instruction within one task split. */
export interface Tally {
	responses: number;
	/** Option -> how many responses chose it (a multi-select response counts once per option). */
	counts: Map<string, number>;
}

export function tally(responses: InstructionResponse[]): Tally {
	const counts = new Map<string, number>();
	for (const response of responses) {
		// A multi-select response counts once per distinct option.
		for (const option of distinctOptions(response)) counts.set(option, (counts.get(option) ?? 0) + 1);
	}
	return { responses: responses.length, counts };
}

/** The majority option(s) and the share of responses that chose them. */
export function majority({ responses, counts }: Tally): { majority: string[]; majority_share: number | null } {
	const top = Math.max(0, ...counts.values());
	return {
		majority: top ? [...counts].filter(([, count]) => count === top).map(([option]) => option) : [],
		majority_share: responses ? round(top / responses) : null,
	};
}

/**
 * The share of pairs of a task's raters that agree: Fleiss' P_i, the per-task figure kappa
 * averages. Select all that apply: the mean over the options picked on the task of the pairs
 * that agree on picking it or not. Null with fewer than two raters.
 */
export function pairAgreement({ responses, counts }: Tally, selectAll: boolean): number | null {
	if (responses < 2) return null;
	const pairs = responses * (responses - 1);
	const agreeing = (n: number) => n * (n - 1);
	const per = [...counts.values()].map((n) => (selectAll ? (agreeing(n) + agreeing(responses - n)) / pairs : agreeing(n) / pairs));
	const total = per.reduce((sum, share) => sum + share, 0);
	// Select all that apply with nothing picked on the task: every pair agrees on every option.
	return round(selectAll ? (per.length ? total / per.length : 1) : total);
}

export function tallyJson(tallied: Tally, selectAll: boolean): IDataObject {
	return {
		responses: tallied.responses,
		// fromEntries: option text from the data must never become a prototype key.
		counts: Object.fromEntries(tallied.counts),
		...majority(tallied),
		pair_agreement: pairAgreement(tallied, selectAll),
	};
}

/** A response with where it was given: task and instruction. */
export type Placed = [taskId: string, instructionId: string, response: unknown];

/** Choice responses grouped by instruction, then by task. */
export function groupChoices(placed: Iterable<Placed>): Map<string, Map<string, InstructionResponse[]>> {
	const groups = new Map<string, Map<string, InstructionResponse[]>>();
	for (const [taskId, instructionId, response] of placed) {
		if (!isChoice(response)) continue;
		const byTask = groups.get(instructionId) ?? new Map<string, InstructionResponse[]>();
		groups.set(instructionId, byTask);
		// Appended in place: copying the list for every response made this quadratic (20,000
		// responses to one task took 20 s).
		const responses = byTask.get(taskId);
		if (responses) responses.push(response);
		else byTask.set(taskId, [response]);
	}
	return groups;
}

/** batch.json's answer_limit per instruction: 1 is single select, -1 or more than 1 select all that apply. */
export type AnswerLimits = ReadonlyMap<string, number>;

/** One choice instruction's responses by task, and whether it is select all that apply. */
export interface ChoiceGroup {
	byTask: Map<string, InstructionResponse[]>;
	selectAll: boolean;
}

/**
 * Choice instructions with their responses by task. An instruction is select all that apply
 * when batch.json's answer_limit allows more than one option, or (without one, or against it)
 * when any response picked other than exactly one option.
 */
export function choiceGroups(placed: Iterable<Placed>, limits: AnswerLimits): Map<string, ChoiceGroup> {
	const groups = new Map<string, ChoiceGroup>();
	for (const [id, byTask] of groupChoices(placed)) {
		const limit = limits.get(id);
		const selectAll =
			(limit !== undefined && limit !== 1) ||
			[...byTask.values()].some((responses) => responses.some((response) => distinctOptions(response).length !== 1));
		groups.set(id, { byTask, selectAll });
	}
	return groups;
}

/**
 * One instruction's agreement across the batch: Fleiss' kappa and the figures behind it for a
 * single choice; for select all that apply, a kappa per option (picked or not) and their mean.
 */
export function instructionAgreement({ byTask, selectAll }: ChoiceGroup): IDataObject {
	const lists = [...byTask.values()];
	const tallies = lists.map(tally);
	const shares = tallies.map((t) => majority(t).majority_share).filter((share): share is number => share !== null);
	const { figures, perOption: options } = selectAll
		? perOption(lists.map((responses) => responses.map(distinctOptions)))
		: { figures: fleiss(tallies.map((t) => t.counts)), perOption: null };
	return {
		tasks: byTask.size,
		single_choice: !selectAll,
		...figures,
		per_option: options,
		mean_majority_share: shares.length ? round(shares.reduce((sum, share) => sum + share, 0) / shares.length) : null,
	};
}

/** Types whose responses are text or files: agreement does not apply to them, so nothing is said. */
const TEXT_OR_FILE_TYPES = new Set(['free_text', 'free_text_with_unit', 'file_upload', 'video_narration']);

/** The agreement of an instruction no choice response answered: null, or (another type) why none. */
export function unscored(type: string | undefined): IDataObject | null {
	if (!type || TEXT_OR_FILE_TYPES.has(type) || CHOICE_TYPES.has(type)) return null;
	return { fleiss_kappa: null, reason: `not computed: ${type} responses are not choices among options` };
}
