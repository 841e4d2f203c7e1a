import { DateTime } from 'luxon';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { formatBytes } from '../bytes';
import { isInstructionResponse, type BatchInfo } from '../archive/records';
import type { DownloadedExport } from '../types';
import { choiceGroups, instructionAgreement, unscored, type Placed } from './agreement';
import type { ExportContents } from './contents';
import { answerLimits, knownInstructions } from './instructions';
import { round } from './kappa';
import { answeredTasks, submissionPlacements, submissionResponses } from './submissions';

/**
 * One item that says what an export holds, for a Slack message or an email: counts, the time
 * span, how complete each instruction is and how far participants agree. Every number comes
 * from the records themselves; unknown instruction types are counted but not scored.
 */
export async function summaryItem(
	contents: ExportContents,
	download: DownloadedExport,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const { archive, ids, layout } = contents;
	const batch = await contents.info();
	const submissions = (await contents.submissions()).map(({ record }) => record);
	const placed = submissionPlacements(submissions);
	const answered = submissions.reduce((sum, record) => sum + submissionResponses(record).length, 0);
	const tasks = answeredTasks(submissions);
	const span = timeSpan(submissions.map((record) => record.created_at));
	const fileNames = await contents.fileNames();
	const filesSize = fileNames.reduce((sum, name) => sum + (archive.declaredSize(name) ?? 0), 0);
	const instructions = instructionSummaries(batch, placed, answered);
	const summary: IDataObject = {
		...contents.idField,
		[ids.nameKey]: batch.name ?? null,
		exported_at: batch.exported_at ?? null,
		export_id: download.exportId ?? null,
		submissions: submissions.length,
		participants: new Set(submissions.map((record) => record.participant_id)).size,
		...(layout.tasksFile && { tasks: tasks.size }),
		files: fileNames.length,
		files_size_bytes: filesSize,
		first_submission_at: span?.first.toISO({ suppressMilliseconds: true }) ?? null,
		last_submission_at: span?.last.toISO({ suppressMilliseconds: true }) ?? null,
		instructions,
	};
	const title = String(batch.name ?? contents.target.id);
	return { json: { ...summary, text: summaryText(title, summary, instructions) }, pairedItem: { item: itemIndex } };
}

/** An ISO time that names its offset, which Date.parse reads as luxon would, natively. */
const WITH_OFFSET = /^\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)$/i;

/** Epoch milliseconds of an ISO time (one without an offset is UTC), NaN when unreadable. */
function isoMillis(value: unknown): number {
	if (typeof value !== 'string') return NaN;
	if (WITH_OFFSET.test(value)) return Date.parse(value);
	const time = DateTime.fromISO(value, { zone: 'utc' });
	return time.isValid ? time.toMillis() : NaN;
}

/** The earliest and latest of some ISO times, unreadable ones skipped; only the two ends become DateTimes. */
function timeSpan(values: unknown[]): { first: DateTime; last: DateTime } | undefined {
	let first = Infinity;
	let last = -Infinity;
	for (const value of values) {
		const time = isoMillis(value);
		if (Number.isNaN(time)) continue;
		first = Math.min(first, time);
		last = Math.max(last, time);
	}
	if (first === Infinity) return undefined;
	return { first: DateTime.fromMillis(first, { zone: 'utc' }), last: DateTime.fromMillis(last, { zone: 'utc' }) };
}

function instructionSummaries(batch: BatchInfo, placed: Placed[], answered: number): IDataObject[] {
	const responses = new Map<string, number>();
	for (const [, id, response] of placed) {
		if (isInstructionResponse(response)) responses.set(id, (responses.get(id) ?? 0) + 1);
	}
	const agreement = choiceGroups(placed, answerLimits(batch));
	return [...knownInstructions(batch, placed)].map(([id, { description, type }]) => {
		const count = responses.get(id) ?? 0;
		const group = agreement.get(id);
		return {
			id,
			description: description ?? id,
			type: type ?? '',
			responses: count,
			completion_rate: answered ? round(count / answered) : null,
			agreement: group ? instructionAgreement(group) : unscored(type),
		};
	});
}

/** Plain text that reads well in Slack or an email. */
function summaryText(title: string, summary: IDataObject, instructions: IDataObject[]): string {
	const span =
		summary.first_submission_at && summary.last_submission_at
			? ` Submitted between ${when(summary.first_submission_at)} and ${when(summary.last_submission_at)}.`
			: '';
	const lines = [
		`${title}: ${summary.submissions} submissions from ${summary.participants} participants${summary.tasks === undefined ? '' : ` across ${summary.tasks} tasks`}, ${summary.files} files (${formatBytes(Number(summary.files_size_bytes))}).${span}`,
		'Completion:',
		...instructions.map(
			(instruction) =>
				`• ${String(instruction.description)}: ${instruction.completion_rate === null ? 'n/a' : `${Math.round(Number(instruction.completion_rate) * 100)}%`}${agreementText(instruction.agreement as IDataObject | null)}`,
		),
	];
	return lines.join('\n');
}

/** An instruction's agreement in words: kappa with its label and interval, or why there is none. */
function agreementText(agreement: IDataObject | null): string {
	if (!agreement) return '';
	const share = agreement.mean_majority_share;
	const parts = [kappaText(agreement), typeof share === 'number' ? `majority ${Math.round(share * 100)}% on average` : undefined];
	const leftOut = Number(agreement.tasks_left_out ?? 0);
	if (leftOut) parts.push(`${leftOut} ${leftOut === 1 ? 'task' : 'tasks'} with one participant left out`);
	return ` (${parts.filter(Boolean).join('; ')})`;
}

function kappaText(agreement: IDataObject): string {
	const perOption = agreement.per_option as IDataObject | null | undefined;
	if (perOption) {
		const mean = perOption.mean_kappa;
		return typeof mean === 'number'
			? `select all that apply: mean per-option κ ${mean.toFixed(2)}, ${String(perOption.interpretation)}, over ${(perOption.options as unknown[]).length} options`
			: `select all that apply: per-option κ ${String(perOption.reason)}`;
	}
	const kappa = agreement.fleiss_kappa;
	if (typeof kappa !== 'number') return `κ ${String(agreement.reason)}`;
	const ci = agreement.ci_95 as { lower: number; upper: number };
	return `Fleiss' κ ${kappa.toFixed(2)}, ${String(agreement.interpretation)}, 95% CI ${ci.lower.toFixed(2)} to ${ci.upper.toFixed(2)} over ${Number(agreement.subjects)} tasks`;
}

function when(iso: unknown): string {
	return DateTime.fromISO(String(iso), { zone: 'utc' }).toFormat("yyyy-MM-dd HH:mm 'UTC'");
}
