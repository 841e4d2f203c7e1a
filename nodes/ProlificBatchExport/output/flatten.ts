import { isInstructionResponse, uploadedFiles, type InstructionResponse } from '../archive/records';

type Cell = string | number | boolean;

/**
 * One spreadsheet cell for a response: value with its unit, chosen options joined,
 * "option: explanation" pairs, file names. Types the node does not know yet are flattened by
 * the fields they carry, so a new instruction type still fills its column.
 */
export function flattenResponse(response: unknown): Cell {
	if (!isInstructionResponse(response)) return '';
	switch (response.type) {
		case 'free_text':
			return text(response.value);
		case 'free_text_with_unit':
			return [text(response.value), text(response.unit)].filter((part) => part !== '').join(' ');
		case 'multiple_choice':
			return list(response.values).map(text).join(', ');
		case 'multiple_choice_with_free_text':
			return list(response.values).map(optionWithExplanation).join('; ');
		case 'file_upload':
			return fileNames(response);
		default:
			return flattenUnknown(response);
	}
}

function flattenUnknown(response: InstructionResponse): Cell {
	const { value, values, files } = response;
	if (typeof value === 'number' || typeof value === 'boolean') return value;
	if (value !== undefined && value !== null) return [text(value), text(response.unit)].filter(Boolean).join(' ');
	if (Array.isArray(values)) return values.map(optionWithExplanation).join('; ');
	if (Array.isArray(files)) return fileNames(response);
	const rest = Object.entries(response).filter(([field]) => field !== 'type' && field !== 'description');
	if (rest.length === 1) {
		const [[, only]] = rest;
		return Array.isArray(only) ? only.map(optionWithExplanation).join(', ') : text(only);
	}
	return rest.length ? JSON.stringify(Object.fromEntries(rest)) : '';
}

function optionWithExplanation(choice: unknown): string {
	if (typeof choice !== 'object' || choice === null) return text(choice);
	const { option, explanation } = choice as { option?: unknown; explanation?: unknown };
	if (option === undefined) return JSON.stringify(choice);
	const said = text(explanation);
	return said ? `${text(option)}: ${said}` : text(option);
}

function fileNames(response: InstructionResponse): string {
	return uploadedFiles(response)
		.map((file) => file.name)
		.join(', ');
}

function list(value: unknown): unknown[] {
	if (Array.isArray(value)) return value;
	return value === undefined || value === null ? [] : [value];
}

function text(value: unknown): string {
	if (value === undefined || value === null) return '';
	return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
