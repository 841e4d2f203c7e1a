import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import type { IDataObject } from 'n8n-workflow';

import { buildReport, csvBytes, type ProlificEmulator } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { sampleCollection } from '../fixtures/sample-collection';
import { BATCH_ID, REPORT_COLUMNS, REPORT_ROWS } from '../fixtures/sample-expected';
import { apiRequests, downloads } from '../support/requests';
import { apiCalls, runExport, startEmulator } from '../support/setup';

/** The Report output: Prolific's batch report (the dataset with the responses beside it) as items. */

const REPORT_PATH = `/api/v1/data-collection/batches/${BATCH_ID}/report/`;
const REPORT_AGAIN = 'Run the node again for a fresh copy of the report; if it happens again, report the batch ID to Prolific support.';

let emulator: ProlificEmulator;
before(async () => {
	emulator = await startEmulator();
	emulator.addCollection(sampleCollection);
});
after(async () => await emulator.close());
beforeEach(() => {
	emulator.reset();
	emulator.setReport(BATCH_ID, buildReport(sampleBatch));
});

const report = async (options: IDataObject = {}) =>
	await runExport(emulator, { batchId: BATCH_ID, output: 'report', options });

describe('Report output', () => {
	it('one item per report row, every column the header names in its order, cells as text; no export job', async () => {
		const run = await report();
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 20);
		for (const item of run.items) {
			assert.deepEqual(Object.keys(item.json), REPORT_COLUMNS);
			assert.deepEqual(item.binary, {});
			assert.deepEqual(item.pairedItem, { item: 0 });
		}
		for (const [index, row] of REPORT_ROWS) assert.deepEqual(run.items[index].json, row);
		assert.deepEqual(apiCalls(emulator), [`GET ${REPORT_PATH}`]);
		assert.deepEqual(downloads(emulator).map((r) => r.path), [`/reports/${BATCH_ID}.csv`]);
		assert.equal(downloads(emulator)[0].headers.authorization, undefined);
		assert.deepEqual(run.hints, []);
	});

	it('Attach Report CSV: the first item carries the CSV byte for byte, under the Binary Property', async () => {
		const run = await report({ attachReport: true, binaryProperty: 'csv' });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 20);
		const [first, ...rest] = run.items;
		assert.deepEqual(Object.keys(first.binary), ['csv']);
		assert.ok(first.binary.csv.bytes.equals(buildReport(sampleBatch)));
		assert.equal(first.binary.csv.mimeType, 'text/csv');
		assert.match(first.binary.csv.fileName ?? '', new RegExp(`^${BATCH_ID}-report-\\d{8}-\\d{6}\\.csv$`));
		assert.ok(rest.every((item) => Object.keys(item.binary).length === 0));
		assert.deepEqual(first.json, (await report()).items[0].json);
	});

	it('reads LF line ends without a BOM, and a gzipping host, the same', async () => {
		const expected = (await report()).items.map((item) => item.json);
		emulator.setReport(BATCH_ID, buildReport(sampleBatch, { lf: true, noBom: true }));
		emulator.inject({ route: 'report.download', gzip: 'always' });
		const run = await report();
		assert.equal(run.status, 'success', run.error?.message);
		assert.deepEqual(run.items.map((item) => item.json), expected);
	});

	it('names columns as their header does: repeats made unique, an unnamed one by its position, __proto__ kept', async () => {
		emulator.setReport(BATCH_ID, csvBytes([['text', '', 'text', '__proto__', 'text (2)'], ['a', 'b', 'c', 'd', 'e']]));
		const run = await report();
		assert.equal(run.status, 'success', run.error?.message);
		assert.deepEqual(Object.keys(run.items[0].json), ['text', 'Column 2', 'text (2)', '__proto__', 'text (2) (2)']);
		assert.deepEqual(Object.values(run.items[0].json), ['a', 'b', 'c', 'd', 'e']);
	});

	it('an expired link from the report endpoint is tried, and replaced by asking it again once the storage host refuses it', async () => {
		emulator.inject({ route: 'report', expireUrl: true });
		const run = await report();
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 20);
		assert.deepEqual(apiCalls(emulator), [`GET ${REPORT_PATH}`, `GET ${REPORT_PATH}`]);
		// This machine's clock is not trusted to judge a link: only the storage host's refusal counts.
		assert.equal(downloads(emulator).length, 2);
	});

	it('a link the storage host refuses (403) is replaced by asking the report endpoint again', async () => {
		emulator.inject({ route: 'report.download', status: 403 });
		const run = await report();
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 20);
		assert.equal(apiRequests(emulator).length, 2);
		assert.equal(downloads(emulator).length, 2);
	});

	it('a redirect to plain HTTP is refused, as for an export', async () => {
		emulator.inject({ route: 'report.download', status: 302, headers: { location: 'http://downloads.example.test/report.csv' } });
		const run = await report();
		assert.equal(run.error?.message, 'The download link redirected to a link that is not HTTPS');
	});

	it('a report over Max Archive Size is refused on its Content-Length', async () => {
		const run = await report({ maxArchiveSizeMb: 0.001 });
		assert.equal(run.status, 'error');
		assert.match(run.error?.message ?? '', /^The batch report is [\d.]+ KiB or more, over the limit of 1\.0 KiB$/);
	});

	it('a server error on the download says it was the report that failed', async () => {
		emulator.inject({ route: 'report.download', status: 503, times: 6 });
		const run = await report();
		assert.equal(run.error?.message, 'Downloading the batch report failed (HTTP 503, 6 attempts)');
		assert.equal(
			run.error?.description,
			'The storage host did not deliver the report. Run the workflow again: the node asks Prolific for a fresh link.',
		);
	});
});

describe('Report output: bad reports', () => {
	it('an HTML page instead of CSV', async () => {
		emulator.inject({ route: 'report.download', report: 'html' });
		const run = await report();
		assert.equal(run.error?.message, 'The batch report is not CSV: the storage host sent an HTML page instead');
		assert.equal(run.error?.description, `A proxy or the storage host answered in its place. ${REPORT_AGAIN}`);
	});

	it("a JSON error instead of CSV, quoting what it says", async () => {
		emulator.inject({ route: 'report.download', report: 'json' });
		const run = await report();
		assert.equal(
			run.error?.message,
			'The batch report is not CSV: the storage host sent JSON instead ("Conflict: The report is still being generated")',
		);
	});

	it('a row short of a cell, named by the line it ends on (cells with line breaks counted)', async () => {
		emulator.inject({ route: 'report.download', report: 'ragged' });
		const run = await report();
		assert.equal(run.error?.message, 'The batch report is not valid CSV: the row ending on line 27 has 15 cells where the header has 16');
		assert.equal(run.error?.description, `Every row of the report has as many cells as its header. ${REPORT_AGAIN}`);
	});

	it('a row short of a cell after a cell with a CRLF inside quotes', async () => {
		emulator.setReport(BATCH_ID, 'a,b\r\n"x\r\ny",2\r\n3\r\n4,5\r\n');
		const run = await report();
		assert.equal(run.error?.message, 'The batch report is not valid CSV: the row ending on line 4 has 1 cell where the header has 2');
	});

	it('a quote never closed', async () => {
		emulator.setReport(BATCH_ID, 'a,b\r\n1,"2\r\n');
		const run = await report();
		assert.match(run.error?.message ?? '', /^The batch report is not valid CSV: Quote Not Closed/);
	});

	it('an empty report: no items, and a hint that says so', async () => {
		emulator.inject({ route: 'report.download', report: 'empty' });
		const run = await report({ attachReport: true });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 0);
		assert.deepEqual(run.hints, [
			{
				message: `Batch ${BATCH_ID}: Prolific's report is empty, so there are no items. It lists the batch's dataset once the batch is READY.`,
				type: 'warning',
				location: 'outputPane',
			},
		]);
	});

	it('a report with a header and no rows: no items, the hint names its columns', async () => {
		emulator.setReport(BATCH_ID, csvBytes([['a', 'b', 'c', 'd', 'e', 'f']]));
		const run = await report();
		assert.equal(run.items.length, 0);
		assert.equal(
			(run.hints[0] as { message: string }).message,
			`Batch ${BATCH_ID}: Prolific's report has columns (a, b, c, d, e, …) but no rows, so there are no items. It lists the batch's dataset once the batch is READY.`,
		);
	});

	it('a batch without a report (404)', async () => {
		emulator.setReport(BATCH_ID, null);
		const run = await report();
		assert.equal(run.error?.message, `Prolific has no report for batch ${BATCH_ID}`);
		assert.match(run.error?.description ?? '', /^Prolific says: "Not Found: No report is available for this batch"\. Check the batch ID\. A batch whose dataset is still being processed has no report yet/);
		assert.equal(downloads(emulator).length, 0);
	});

	it('a report link Prolific hands out without a URL', async () => {
		emulator.inject({ route: 'report', status: 200, body: { expires_at: '2026-03-20T10:00:00Z', http_method: 'GET' } });
		const run = await report();
		assert.equal(run.error?.message, `Prolific answered the report request of batch ${BATCH_ID} without a download link`);
	});

	it('is for batches: a collection is refused before any request', async () => {
		const run = await runExport(emulator, {
			parameters: { resource: 'collection', collection: { __rl: true, mode: 'id', value: sampleCollection.collection_id }, output: 'report' },
		});
		assert.equal(run.error?.message, "The 'report' output is for batches only");
		assert.equal(emulator.requests.length, 0);
	});

	it('is not read from an export: Download Export refuses it before any request', async () => {
		const run = await runExport(emulator, { batchId: BATCH_ID, parameters: { operation: 'downloadExport', exportId: '', output: 'report' } });
		assert.equal(run.error?.message, "The 'report' output is not read from an export");
		assert.equal(emulator.requests.length, 0);
	});
});
