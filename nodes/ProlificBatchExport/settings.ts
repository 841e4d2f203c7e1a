import { DateTime } from 'luxon';
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IGetNodeParameterOptions,
	type IPollFunctions,
} from 'n8n-workflow';

import { DEFAULTS, UUID_PATTERN } from './actions/common.descriptions';
import type { ArchiveLimits } from './archive/reader';
import type { ExportSettings } from './export/lifecycle';
import { OUTPUT_MODES } from './output/modes';
import { RESPONSE_KEYS } from './output/response-keys';
import type { OutputMode, OutputSettings } from './output/types';
import { RESOURCES } from './resources';
import { isExportId, type ExportTarget, type Resource } from './types';

/** The node reads parameters per input item; its trigger, which has no input, once. */
export type ParameterSource = IExecuteFunctions | IPollFunctions;

export function parameter(
	ctx: ParameterSource,
	name: string,
	itemIndex: number,
	fallback: unknown,
	options?: IGetNodeParameterOptions,
): unknown {
	return 'getInputData' in ctx
		? ctx.getNodeParameter(name, itemIndex, fallback, options)
		: ctx.getNodeParameter(name, fallback, options);
}

export interface BatchExportSettings {
	target: ExportTarget;
	filters: IDataObject;
	housekeeping: { deleteAfterDownload: boolean; freeExportSlot: boolean; freeAnyJob: boolean };
	lifecycle: ExportSettings;
	limits: ArchiveLimits;
	output: OutputSettings;
}

interface Options {
	agreement?: boolean;
	attachReport?: boolean;
	binaryProperty?: string;
	binaryPropertyPrefix?: string;
	deleteAfterDownload?: boolean;
	fileName?: string;
	freeExportSlot?: boolean;
	freeAnyJob?: boolean;
	failedRetries?: number;
	from?: string;
	maxArchiveSizeMb?: number;
	maxFiles?: number;
	pollInterval?: number;
	responseKeys?: string;
	studyId?: string;
	timeout?: number;
	to?: string;
}

const MB = 1024 * 1024;

/** Reads one input item's parameters (expressions resolved per item) into typed settings. */
export function readSettings(ctx: ParameterSource, itemIndex = 0): BatchExportSettings {
	const target = targetOf(ctx, itemIndex);
	const mode = outputModeOf(ctx, itemIndex, target);
	const options = parameter(ctx, 'options', itemIndex, {}) as Options;
	const responseKeys = choiceOf(ctx, itemIndex, options.responseKeys ?? 'ids', RESPONSE_KEYS, 'a choice of Response Keys');
	const timezone = ctx.getTimezone();
	return {
		target,
		filters: Object.fromEntries(
			Object.entries({
				study_id: options.studyId?.trim() || undefined,
				from: isoInstant(options.from, timezone),
				to: isoInstant(options.to, timezone),
			}).filter(([, value]) => value !== undefined),
		),
		housekeeping: {
			deleteAfterDownload: options.deleteAfterDownload ?? true,
			freeExportSlot: options.freeExportSlot ?? true,
			freeAnyJob: options.freeAnyJob ?? false,
		},
		lifecycle: {
			pollIntervalMs: seconds(options.pollInterval, DEFAULTS.pollIntervalSeconds),
			timeoutMs: seconds(options.timeout, DEFAULTS.timeoutSeconds),
			failedRetries: Math.max(0, Math.floor(options.failedRetries ?? DEFAULTS.failedRetries)),
		},
		limits: {
			maxBytes: Math.floor((options.maxArchiveSizeMb ?? DEFAULTS.maxArchiveSizeMb) * MB),
			maxFiles: Math.floor(options.maxFiles ?? DEFAULTS.maxFiles),
		},
		output: {
			mode,
			includeFiles: OUTPUT_MODES[mode].attachesFiles && (parameter(ctx, 'includeFiles', itemIndex, true) as boolean),
			binaryPrefix: options.binaryPropertyPrefix ?? DEFAULTS.binaryPropertyPrefix,
			agreement: options.agreement ?? false,
			responseKeys,
			binaryProperty: options.binaryProperty?.trim() || DEFAULTS.binaryProperty,
			fileNameTemplate: options.fileName?.trim() || DEFAULTS.fileName,
			attachReport: options.attachReport ?? false,
		},
	};
}

const OUTPUT_CHOICES = Object.keys(OUTPUT_MODES) as OutputMode[];

/** The chosen output, if it applies to the target: a typo in an expression is refused rather than read as the default. */
function outputModeOf(ctx: ParameterSource, itemIndex: number, target: ExportTarget): OutputMode {
	const mode = choiceOf(ctx, itemIndex, parameter(ctx, 'output', itemIndex, 'submissions'), OUTPUT_CHOICES, 'an output of this node');
	if (target.resource === 'collection' && !OUTPUT_MODES[mode].collections) {
		throw new NodeOperationError(ctx.getNode(), `The '${mode}' output is for batches only`, {
			description: 'Prolific offers it for AI Task Builder batches, not for collections. Choose another output.',
			itemIndex,
		});
	}
	return mode;
}

/** A choice parameter's value; a typo in an expression is refused rather than read as the default. */
function choiceOf<T extends string>(ctx: ParameterSource, itemIndex: number, value: unknown, choices: readonly T[], what: string): T {
	if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
	throw new NodeOperationError(ctx.getNode(), `'${String(value).slice(0, 100)}' is not ${what}`, {
		description: `Choose one of: ${choices.join(', ')}.`,
		itemIndex,
	});
}

/**
 * The batch or collection to export, its UUID wherever the value came from: a list pick, a typed
 * ID, a pasted URL or an expression. The trigger has no Resource parameter: it watches batches.
 */
export function targetOf(ctx: ParameterSource, itemIndex: number): ExportTarget {
	const resource = parameter(ctx, 'resource', itemIndex, 'batch') as Resource;
	const { label } = RESOURCES[resource];
	const value = String(parameter(ctx, resource, itemIndex, '', { extractValue: true }) ?? '');
	const match = value.match(new RegExp(UUID_PATTERN));
	if (!match) {
		throw new NodeOperationError(ctx.getNode(), `'${value.slice(0, 100)}' is not a Prolific ${label} ID`, {
			description: `A ${label} ID is a UUID such as 0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b. Pick the ${label} from the list, or copy its ID or URL from Prolific.`,
			itemIndex,
		});
	}
	return { resource, id: match[0].toLowerCase() };
}

function seconds(value: number | undefined, fallback: number): number {
	const chosen = typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
	return Math.round(chosen * 1000);
}

/** n8n's date fields carry no zone: they mean the workflow's time zone. Prolific wants UTC. */
function isoInstant(value: string | undefined, timezone: string): string | undefined {
	if (!value) return undefined;
	const date = DateTime.fromISO(value, { zone: timezone });
	return date.isValid ? (date.toUTC().toISO({ suppressMilliseconds: true }) ?? undefined) : value;
}

export function exportIdOf(ctx: ParameterSource, itemIndex: number): string {
	const value = String(parameter(ctx, 'exportId', itemIndex, '') ?? '').trim();
	if (!isExportId(value)) {
		throw new NodeOperationError(ctx.getNode(), `'${value.slice(0, 100)}' is not an export ID`, {
			description: "Use the export_id that the Start Export operation returned, e.g. with an expression: {{ $json.export_id }}",
			itemIndex,
		});
	}
	return value;
}

/** Download Export's: none when Start Export got a finished export at once, and so no ID. */
export function optionalExportIdOf(ctx: ParameterSource, itemIndex: number): string | undefined {
	const value = String(parameter(ctx, 'exportId', itemIndex, '') ?? '').trim();
	return value === '' || value === 'null' ? undefined : exportIdOf(ctx, itemIndex);
}
