import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ArchiveError } from '../../nodes/ProlificBatchExport/archive/errors';
import { parseJsonl } from '../../nodes/ProlificBatchExport/archive/jsonl';
import { JSONL_HINT } from '../support/hints';

function thrown(fn: () => unknown): ArchiveError {
	try {
		fn();
	} catch (error) {
		assert.ok(error instanceof ArchiveError, `not an ArchiveError: ${String(error)}`);
		return error;
	}
	return assert.fail('expected an ArchiveError');
}

describe('parseJsonl', () => {
	const records = [{ a: 1 }, { b: 'two\nlines' }, { c: [3] }];

	it('reads LF and CRLF files with blank lines anywhere', () => {
		const lines = records.map((record) => JSON.stringify(record));
		assert.deepEqual(parseJsonl(lines.join('\n') + '\n', 'x.jsonl'), records);
		assert.deepEqual(parseJsonl(lines.join('\r\n') + '\r\n', 'x.jsonl'), records);
		assert.deepEqual(parseJsonl(`\n${lines[0]}\r\n\r\n  \t\n${lines[1]}\n${lines[2]}\n\n\n`, 'x.jsonl'), records);
		assert.deepEqual(parseJsonl(lines[0], 'x.jsonl'), [records[0]], 'no final newline');
		assert.deepEqual(parseJsonl('', 'x.jsonl'), []);
	});

	it('names the file and the line of a malformed record, counting blank lines', () => {
		const error = thrown(() => parseJsonl('{"a":1}\r\n\r\n{"b": tru\r\n{"c":3}\r\n', 'responses-by-submission.jsonl'));
		assert.match(
			error.message,
			/^The export archive is malformed: line 3 of responses-by-submission\.jsonl is not valid JSON \(.+\)$/,
		);
		assert.equal(error.hint, JSONL_HINT);
	});

	it('refuses a line that is JSON but not an object', () => {
		for (const line of ['[1,2]', '42', 'null', '"text"', 'true']) {
			const error = thrown(() => parseJsonl(`{"a":1}\n${line}\n`, 'responses-by-task.jsonl'));
			assert.equal(
				error.message,
				'The export archive is malformed: line 2 of responses-by-task.jsonl is not valid JSON (expected a JSON object)',
				line,
			);
		}
	});

	it('reads a whole-file document, pretty-printed, and names the file when it is wrong', () => {
		assert.deepEqual(parseJsonl('{\n  "a": 1\n}\n', 'batch.json', { wholeFile: true }), [{ a: 1 }]);
		assert.equal(
			thrown(() => parseJsonl('[]', 'batch.json', { wholeFile: true })).message,
			'The export archive is malformed: batch.json is not valid JSON (expected a JSON object)',
		);
	});

	it("keeps '__proto__' and 'constructor' keys as own data without touching any prototype", () => {
		const [record] = parseJsonl<Record<string, unknown>>(
			'{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"responses":{"__proto__":{"toString":{"type":"x"}}}}\n',
			'x.jsonl',
		);
		assert.ok(Object.hasOwn(record, '__proto__'));
		assert.deepEqual(record['__proto__'], { polluted: 'yes' });
		assert.ok(Object.hasOwn(record.responses as object, '__proto__'));
		assert.equal(Object.getPrototypeOf(record), Object.prototype);
		assert.equal(({} as Record<string, unknown>).polluted, undefined);
	});

	it('keeps IDs beyond 2^53 as their exact digits, wherever they sit, and nothing else', () => {
		const big = '12345678901234567891';
		const fields = [
			`"id":${big}`,
			`"nested":{"task_id" : -${big} }`,
			`"list":[{"submission_id":${big}}]`,
			// Inside strings, escaped quotes included: text, never touched.
			`"text":"\\"participant_id\\": ${big}"`,
			'"tricky":"ends in a backslash \\\\"',
			`"participant_id":${big}`,
			// Not IDs, IDs a number holds exactly, IDs not written as plain digits: as JSON.parse gives them.
			`"count":${big}`,
			'"study_id":9007199254740991',
			'"batch_id":1.5e300',
			`"export_id":${big}.0`,
		];
		assert.deepEqual(parseJsonl(`{${fields.join(',')}}`, 'x.jsonl'), [
			{
				id: big,
				nested: { task_id: `-${big}` },
				list: [{ submission_id: big }],
				text: `"participant_id": ${big}`,
				tricky: 'ends in a backslash \\',
				participant_id: big,
				count: Number(big),
				study_id: 9007199254740991,
				batch_id: 1.5e300,
				export_id: Number(big),
			},
		]);
	});

	it('finds big IDs quickly beside a long string', () => {
		const line = `{"value":"${'x\\"'.repeat(500_000)}","submission_id":12345678901234567891}`;
		const started = performance.now();
		const [record] = parseJsonl<Record<string, unknown>>(line, 'x.jsonl');
		assert.equal(record.submission_id, '12345678901234567891');
		assert.ok(performance.now() - started < 1_000);
	});
});
