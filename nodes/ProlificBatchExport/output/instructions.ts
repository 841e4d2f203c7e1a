import { isInstructionResponse, type BatchInfo } from '../archive/records';
import type { AnswerLimits, Placed } from './agreement';

export interface KnownInstruction {
	description?: string;
	type?: string;
}

/**
 * Every instruction of the export, in order: batch.json's first, then any only the responses
 * name (an archive without batch.json, or an instruction it leaves out).
 */
export function knownInstructions(info: BatchInfo, placed: Placed[]): Map<string, KnownInstruction> {
	const known = new Map<string, KnownInstruction>();
	for (const instruction of info.instructions) {
		if (typeof instruction?.id !== 'string' || known.has(instruction.id)) continue;
		known.set(instruction.id, { description: text(instruction.description), type: text(instruction.type) });
	}
	for (const [, id, response] of placed) {
		if (known.has(id) || !isInstructionResponse(response)) continue;
		known.set(id, { description: text(response.description), type: response.type });
	}
	return known;
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

/** batch.json's answer_limit of each instruction that has a numeric one. */
export function answerLimits(info: BatchInfo): AnswerLimits {
	const limits = new Map<string, number>();
	for (const instruction of info.instructions) {
		if (typeof instruction?.id === 'string' && typeof instruction.answer_limit === 'number') limits.set(instruction.id, instruction.answer_limit);
	}
	return limits;
}
