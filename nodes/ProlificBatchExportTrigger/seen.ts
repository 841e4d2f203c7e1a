import { DateTime } from 'luxon';

import type { SubmissionRecord } from '../ProlificBatchExport/archive/records';

/**
 * What the trigger remembers between polls, in the workflow's static data: the newest
 * `created_at` it has seen, and the IDs (with their times) of submissions made within a day of
 * it. Anything older than that day counts as emitted, so the memory stays bounded however
 * large the batch grows, while a submission that reaches the export late (up to a day) is
 * still caught, exactly once.
 */
export interface SeenSubmissions {
	newest?: string;
	recent?: Array<[id: string, createdAt: string]>;
}

const LOOKBACK_MS = 24 * 60 * 60 * 1000;
/** A hard ceiling, should a day hold more submissions than any batch has. */
const MAX_REMEMBERED = 50_000;

/** The API's `from` filter: only what could be new. Servers without filters send everything. */
export function sinceFilter(seen: SeenSubmissions): { from?: string } {
	const floor = floorOf(seen);
	return floor === undefined ? {} : { from: DateTime.fromMillis(floor, { zone: 'utc' }).toISO() ?? undefined };
}

export function newSubmissions(seen: SeenSubmissions, submissions: SubmissionRecord[]): SubmissionRecord[] {
	const recent = new Set((seen.recent ?? []).map(([id]) => id));
	const floor = floorOf(seen) ?? -Infinity;
	const emitted = new Set<string>();
	return submissions.filter((record) => {
		const id = String(record.submission_id);
		if (recent.has(id) || emitted.has(id)) return false;
		emitted.add(id);
		const time = timeOf(record.created_at);
		return Number.isNaN(time) || time >= floor;
	});
}

/** Adds this export's submissions to the memory and forgets what fell out of the lookback. */
export function rememberSubmissions(seen: SeenSubmissions, submissions: SubmissionRecord[]): void {
	const remembered = new Map(seen.recent ?? []);
	for (const record of submissions) remembered.set(String(record.submission_id), String(record.created_at ?? ''));
	const times = [seen.newest, ...remembered.values()].map(timeOf).filter((time) => !Number.isNaN(time));
	const newestTime = Math.max(...times);
	if (Number.isFinite(newestTime)) seen.newest = DateTime.fromMillis(newestTime, { zone: 'utc' }).toISO() ?? undefined;
	const floor = floorOf(seen) ?? -Infinity;
	seen.recent = [...remembered]
		.filter(([, createdAt]) => {
			const time = timeOf(createdAt);
			return Number.isNaN(time) || time >= floor;
		})
		.sort((a, b) => b[1].localeCompare(a[1]))
		.slice(0, MAX_REMEMBERED);
}

function floorOf(seen: SeenSubmissions): number | undefined {
	const newest = timeOf(seen.newest);
	return Number.isNaN(newest) ? undefined : newest - LOOKBACK_MS;
}

function timeOf(value: string | undefined): number {
	return value ? DateTime.fromISO(value).toMillis() : Number.NaN;
}
