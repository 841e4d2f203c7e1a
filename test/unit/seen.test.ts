import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { SubmissionRecord } from '../../nodes/ProlificBatchExport/archive/records';
import { newSubmissions, rememberSubmissions, sinceFilter, type SeenSubmissions } from '../../nodes/ProlificBatchExportTrigger/seen';

const submission = (id: string, created_at: string): SubmissionRecord => ({ submission_id: id, created_at, responses: {} });

describe("the trigger's memory of submissions it emitted", () => {
	it('at first everything is new and no filter is sent', () => {
		const seen: SeenSubmissions = {};
		const all = [submission('a', '2026-03-01T10:00:00Z'), submission('b', '2026-03-01T11:00:00Z')];
		assert.deepEqual(sinceFilter(seen), {});
		assert.deepEqual(newSubmissions(seen, all), all);
	});

	it('remembers what it was given: the same export again has nothing new, a later one only its newcomer', () => {
		const seen: SeenSubmissions = {};
		const first = [submission('a', '2026-03-01T10:00:00Z'), submission('b', '2026-03-01T11:00:00Z')];
		rememberSubmissions(seen, first);
		assert.deepEqual(newSubmissions(seen, first), []);
		const late = submission('c', '2026-03-01T09:30:00Z');
		assert.deepEqual(newSubmissions(seen, [...first, late]), [late], 'a late submission within a day is still new');
	});

	it('asks only for the last day before the newest, and forgets what fell out of it', () => {
		const seen: SeenSubmissions = {};
		rememberSubmissions(seen, [submission('old', '2026-02-01T00:00:00Z'), submission('new', '2026-03-01T12:00:00Z')]);
		assert.deepEqual(sinceFilter(seen), { from: '2026-02-28T12:00:00.000Z' });
		assert.deepEqual(seen.recent, [['new', '2026-03-01T12:00:00Z']]);
		assert.deepEqual(newSubmissions(seen, [submission('old', '2026-02-01T00:00:00Z')]), [], 'older than the day: counted as emitted');
	});

	it('emits a submission listed twice in one export once', () => {
		const twice = [submission('a', '2026-03-01T10:00:00Z'), submission('a', '2026-03-01T10:00:00Z')];
		assert.equal(newSubmissions({}, twice).length, 1);
	});
});
