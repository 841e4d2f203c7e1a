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

/**
 * Names that stay unique: a name already taken gets ` (2)`, ` (3)` … Rows' columns and responses
 * keyed by description are named the same way.
 */
export function uniqueNamer(taken: Iterable<string>): (base: string) => string {
	const used = new Set(taken);
	return (base) => {
		let name = base;
		for (let n = 2; used.has(name); n++) name = `${base} (${n})`;
		used.add(name);
		return name;
	};
}

/** An instruction's name where it becomes a key: its description, or its ID when it has none. */
export const instructionName = ({ description }: KnownInstruction, id: string): string => description?.trim() || id;

/** Sets an own property, even for a key named '__proto__' (assigning that would set the prototype). */
export function setOwn(target: Record<string, unknown>, name: string, value: unknown): void {
	if (name === '__proto__') Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
	else target[name] = value;
}
