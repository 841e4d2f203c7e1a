import type { IDataObject } from 'n8n-workflow';

import { isInstructionResponse, type InstructionResponse } from '../archive/records';

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

/** How many options a choice response picked (chosenOptions' length, without building it). */
function optionCount(response: InstructionResponse): number {
	return Array.isArray(response.values) ? response.values.length : 0;
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
		const options = chosenOptions(response);
		// A multi-select response counts once per distinct option; a single choice needs no set.
		for (const option of options.length === 1 ? options : new Set(options)) counts.set(option, (counts.get(option) ?? 0) + 1);
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

export function tallyJson(tallied: Tally): IDataObject {
	return {
		responses: tallied.responses,
		// fromEntries: option text from the data must never become a prototype key.
		counts: Object.fromEntries(tallied.counts),
		...majority(tallied),
	};
}

/**
 * Fleiss' kappa over subjects (tasks), each a map of category -> raters who chose it. Raters
 * per subject may differ (the usual generalisation: each subject's agreement over its own
 * rater pairs, category shares over all ratings); subjects with fewer than two raters say
 * nothing about agreement and are left out. Null when undefined: no subject with two raters,
 * or every rating in one category (chance agreement is then 1).
 */
export function fleissKappa(subjects: Array<Map<string, number>>): number | null {
	const rated = subjects
		.map((subject) => ({ subject, raters: [...subject.values()].reduce((sum, n) => sum + n, 0) }))
		.filter(({ raters }) => raters >= 2);
	if (rated.length === 0) return null;
	const totals = new Map<string, number>();
	let ratings = 0;
	let observed = 0;
	for (const { subject, raters } of rated) {
		let pairs = 0;
		for (const [category, n] of subject) {
			totals.set(category, (totals.get(category) ?? 0) + n);
			pairs += n * (n - 1);
		}
		observed += pairs / (raters * (raters - 1));
		ratings += raters;
	}
	observed /= rated.length;
	const expected = [...totals.values()].reduce((sum, n) => sum + (n / ratings) ** 2, 0);
	return expected >= 1 ? null : round((observed - expected) / (1 - expected));
}

function round(value: number): number {
	return Math.round(value * 10_000) / 10_000;
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

/**
 * One instruction's agreement across the batch. Fleiss' kappa needs one category per rating,
 * so it is given only for single-choice instructions (every response picked exactly one option).
 */
export function instructionAgreement(byTask: Map<string, InstructionResponse[]>): IDataObject {
	const lists = [...byTask.values()];
	const tallies = lists.map(tally);
	const singleChoice = lists.every((list) => list.every((response) => optionCount(response) === 1));
	const shares = tallies.map((t) => majority(t).majority_share).filter((share): share is number => share !== null);
	return {
		tasks: byTask.size,
		single_choice: singleChoice,
		fleiss_kappa: singleChoice ? fleissKappa(tallies.map((t) => t.counts)) : null,
		mean_majority_share: shares.length ? round(shares.reduce((sum, share) => sum + share, 0) / shares.length) : null,
	};
}
