import type { IDataObject } from 'n8n-workflow';

import type { BatchInfo } from '../archive/records';
import type { Placed } from './agreement';
import { flattenResponse } from './flatten';
import { instructionName, knownInstructions, setOwn, uniqueNamer } from './instructions';

/** The Response Keys option: Prolific's instruction IDs (its records unchanged), or the instructions' descriptions. */
export const RESPONSE_KEYS = ['ids', 'descriptions'] as const;
export type ResponseKeys = (typeof RESPONSE_KEYS)[number];

/** Instruction ID -> the key its responses get: its description, made unique as Rows' columns are. */
export type DescriptionKeys = Map<string, string>;

/**
 * One key per instruction of the export, in batch.json's order, so every item names an
 * instruction the same way; `taken` are names the keys share an object with.
 */
export function descriptionKeys(batch: BatchInfo, placed: Placed[], taken: string[] = []): DescriptionKeys {
	const unique = uniqueNamer(taken);
	return new Map([...knownInstructions(batch, placed)].map(([id, instruction]) => [id, unique(instructionName(instruction, id))]));
}

/**
 * One task's instruction responses keyed by description, and the same answers flat, each as
 * Rows writes its cell: `answers["Is the photo usable?"]` maps straight into a sheet or a message.
 */
export function keyedByDescription(
	instructions: Array<[string, unknown]>,
	keys: DescriptionKeys,
): { responses: IDataObject; answers: IDataObject } {
	const responses: IDataObject = {};
	const answers: IDataObject = {};
	for (const [id, response] of instructions) {
		const key = keys.get(id) ?? id;
		setOwn(responses, key, response);
		setOwn(answers, key, flattenResponse(response));
	}
	return { responses, answers };
}
