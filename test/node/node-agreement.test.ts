import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { ProlificEmulator } from '../emulator';
import { sampleBatch } from '../fixtures/sample-batch';
import { BATCH_ID, TASK } from '../fixtures/sample-expected';
import { recordsArchive, serveArchive } from '../support/archives';
import { runExport, startEmulator } from '../support/setup';

let emulator: ProlificEmulator;
before(async () => {
	emulator = await startEmulator();
});
after(async () => await emulator.close());

const USABLE = '0195b2c4-7e10-7a3b-8c4d-1e2f3a4b5c05';
const COUNT = '0195b2c4-7e10-7a3b-8c4d-1e2f3a4b5c04';
const CATEGORIES = '0195b2c4-7e10-7a3b-8c4d-1e2f3a4b5c03';
const COUNT_LABEL = 'Item count, if visible / Anzahl – nombre 📦';

describe('agreement on the sample batch (hand-computed from its table)', () => {
	it('Tasks: per task, counts per option, majority and share; a closing item with kappa', async () => {
		const run = await runExport(emulator, {
			batchId: BATCH_ID,
			output: 'tasks',
			includeFiles: false,
			options: { agreement: true },
		});
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 5);
		const agreementOf = (t: number, id: string) =>
			(run.items[t].json.agreement as Array<Record<string, unknown>>).find((a) => a.instruction_id === id);
		assert.deepEqual(agreementOf(2, USABLE), {
			instruction_id: USABLE,
			description: 'Is the photo usable?',
			type: 'multiple_choice_with_free_text',
			responses: 5,
			counts: { Yes: 4, No: 1 },
			majority: ['Yes'],
			majority_share: 0.8,
		});
		assert.deepEqual(agreementOf(3, COUNT), {
			instruction_id: COUNT,
			description: COUNT_LABEL,
			type: 'multiple_choice',
			responses: 5,
			counts: { '1': 4, false: 1 },
			majority: ['1'],
			majority_share: 0.8,
		});
		assert.deepEqual(agreementOf(3, CATEGORIES)?.counts, { Clothing: 4, Sport: 3 });
		assert.deepEqual(agreementOf(0, CATEGORIES)?.majority, ['Accessories']);
		assert.equal((run.items[0].json.agreement as unknown[]).length, 3, 'only the three choice instructions');

		const closing = run.items[4].json;
		assert.equal(closing.batch_id, BATCH_ID);
		const summary = closing.agreement_summary as Array<Record<string, unknown>>;
		assert.deepEqual(summary.find((s) => s.instruction_id === USABLE), {
			instruction_id: USABLE,
			description: 'Is the photo usable?',
			type: 'multiple_choice_with_free_text',
			tasks: 4,
			single_choice: true,
			// P̄ = (1 + 1 + .6 + .6)/4 = .8; P̄e = .9² + .1² = .82; κ = (.8 - .82)/.18
			fleiss_kappa: -0.1111,
			mean_majority_share: 0.9,
		});
		assert.equal(summary.find((s) => s.instruction_id === COUNT)?.fleiss_kappa, -0.194);
		const categories = summary.find((s) => s.instruction_id === CATEGORIES);
		assert.equal(categories?.single_choice, false);
		assert.equal(categories?.fleiss_kappa, null);
	});

	it('Rows: majority and share columns after each choice instruction', async () => {
		const run = await runExport(emulator, {
			batchId: BATCH_ID,
			output: 'rows',
			includeFiles: false,
			options: { agreement: true },
		});
		assert.equal(run.items.length, 20);
		assert.deepEqual(Object.keys(run.items[0].json).slice(6, 15), [
			'Which categories apply?',
			'Which categories apply? (majority)',
			'Which categories apply? (majority share)',
			COUNT_LABEL,
			`${COUNT_LABEL} (majority)`,
			`${COUNT_LABEL} (majority share)`,
			'Is the photo usable?',
			'Is the photo usable? (majority)',
			'Is the photo usable? (majority share)',
		]);
		const row = run.items[2].json; // submission 1, task 3
		assert.equal(row.task_id, TASK[2]);
		assert.equal(row['Which categories apply? (majority)'], 'Electronics');
		assert.equal(row['Which categories apply? (majority share)'], 1);
		assert.equal(row['Is the photo usable? (majority)'], 'Yes');
		assert.equal(row['Is the photo usable? (majority share)'], 0.8);
	});
});

describe('Summary output', () => {
	it('one item with counts, time span, completion and agreement, and a text for Slack', async () => {
		const run = await runExport(emulator, { batchId: BATCH_ID, output: 'summary' });
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items.length, 1);
		const { instructions, text, export_id: _, ...summary } = run.items[0].json as Record<string, unknown>;
		const filesSize = Object.values(sampleBatch.files).reduce((sum, bytes) => sum + bytes.length, 0);
		assert.deepEqual(summary, {
			batch_id: BATCH_ID,
			batch_name: 'Product Image Annotation',
			exported_at: '2026-03-20T09:00:00Z',
			submissions: 5,
			participants: 5,
			tasks: 4,
			files: 25,
			files_size_bytes: filesSize,
			first_submission_at: '2026-03-19T08:12:03Z',
			last_submission_at: '2026-03-19T21:58:17Z',
		});
		const rows = instructions as Array<Record<string, unknown>>;
		assert.deepEqual(
			rows.map((row) => [row.description, row.responses, row.completion_rate]),
			[
				['Briefly describe the item shown', 20, 1],
				["Estimate the item's width", 20, 1],
				['Which categories apply?', 20, 1],
				[COUNT_LABEL, 20, 1],
				['Is the photo usable?', 20, 1],
				['Upload a photo of the item', 20, 1],
				['Attach the receipt (optional)', 4, 0.2],
				['Rank the three reference shots by similarity', 20, 1],
			],
		);
		assert.equal(rows[7].type, 'rank_order');
		assert.equal(rows[7].agreement, null, 'an unknown type is counted, not scored');
		assert.deepEqual(rows[4].agreement, { tasks: 4, single_choice: true, fleiss_kappa: -0.1111, mean_majority_share: 0.9 });
		assert.equal(
			text,
			[
				'Product Image Annotation: 5 submissions from 5 participants across 4 tasks, 25 files (' +
					`${(filesSize / 1024).toFixed(1)} KiB). Submitted between 2026-03-19 08:12 UTC and 2026-03-19 21:58 UTC.`,
				'Completion:',
				'• Briefly describe the item shown: 100%',
				"• Estimate the item's width: 100%",
				'• Which categories apply?: 100% (majority 95% on average)',
				`• ${COUNT_LABEL}: 100% (Fleiss' κ -0.19, majority 80% on average)`,
				"• Is the photo usable?: 100% (Fleiss' κ -0.11, majority 90% on average)",
				'• Upload a photo of the item: 100%',
				'• Attach the receipt (optional): 20%',
				'• Rank the three reference shots by similarity: 100%',
			].join('\n'),
		);
	});

	it('spans the submissions whatever their order and offsets, skipping times it cannot read', async () => {
		// An ISO time without an offset is UTC, whatever the machine's time zone.
		const created = ['2026-03-19T12:00:00Z', '2026-03-19T09:00:00+02:00', 'not a date', null, '2026-03-20T01:30:00.250Z', '2026-03-20T02:00:00', '2026-03-19T10:00:00Z'];
		const submissions = created.map((time, n) => ({ submission_id: `s${n}`, participant_id: `p${n}`, created_at: time, responses: {} }));
		const batchId = serveArchive(emulator, recordsArchive({ submissions }));
		// Run where local time is not UTC, where reading such a time as local would show.
		const zone = process.env.TZ;
		process.env.TZ = 'Asia/Tokyo';
		const run = await runExport(emulator, { batchId, output: 'summary' }).finally(() => {
			if (zone === undefined) delete process.env.TZ;
			else process.env.TZ = zone;
		});
		assert.equal(run.status, 'success', run.error?.message);
		assert.equal(run.items[0].json.first_submission_at, '2026-03-19T07:00:00Z');
		assert.equal(run.items[0].json.last_submission_at, '2026-03-20T02:00:00Z');
	});
});
