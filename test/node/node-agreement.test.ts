import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import type { BatchSpec, ProlificEmulator } from '../emulator';
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

/** "Is the photo usable?" across the sample batch: Yes from 5, 5, 4 and 4 of the 5 participants on the four tasks. */
const USABLE_AGREEMENT = {
	tasks: 4,
	single_choice: true,
	// P̄ = (1 + 1 + .6 + .6)/4 = .8; P̄e = .9² + .1² = .82; κ = (.8 - .82)/.18 = -1/9 (statsmodels: -0.111111).
	fleiss_kappa: -0.1111,
	reason: null,
	interpretation: 'poor',
	// FNL 1979, yes/no: Var = 2/(N n(n-1)) = 2/80 -> SE 0.158114; κ ± 1.959964·SE = -0.421009 to 0.198787.
	standard_error: 0.1581,
	ci_95: { lower: -0.421, upper: 0.1988 },
	p_bar: 0.8,
	pe_bar: 0.82,
	subjects: 4,
	tasks_left_out: 0,
	raters: { min: 5, max: 5 },
	categories: 2,
	per_option: null,
	mean_majority_share: 0.9,
};

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
			// 4·3 of the 5·4 ordered pairs of participants agree
			pair_agreement: 0.6,
		});
		assert.deepEqual(agreementOf(3, COUNT), {
			instruction_id: COUNT,
			description: COUNT_LABEL,
			type: 'multiple_choice',
			responses: 5,
			counts: { '1': 4, false: 1 },
			majority: ['1'],
			majority_share: 0.8,
			pair_agreement: 0.6,
		});
		assert.deepEqual(agreementOf(3, CATEGORIES)?.counts, { Clothing: 4, Sport: 3 });
		// Select all that apply: Clothing picked by 4 of 5 (12/20 pairs agree), Sport by 3 ((6 + 2)/20).
		assert.equal(agreementOf(3, CATEGORIES)?.pair_agreement, 0.5);
		assert.deepEqual(agreementOf(0, CATEGORIES)?.majority, ['Accessories']);
		assert.equal((run.items[0].json.agreement as unknown[]).length, 3, 'only the three choice instructions');

		const closing = run.items[4].json;
		assert.equal(closing.batch_id, BATCH_ID);
		const summary = closing.agreement_summary as Array<Record<string, unknown>>;
		assert.deepEqual(summary.find((s) => s.instruction_id === USABLE), {
			instruction_id: USABLE,
			description: 'Is the photo usable?',
			type: 'multiple_choice_with_free_text',
			...USABLE_AGREEMENT,
		});
		const count = summary.find((s) => s.instruction_id === COUNT);
		// statsmodels fleiss_kappa: -0.194030; FNL 1979 SE 0.130309; κ ± 1.959964·SE = -0.449431 to 0.061371.
		assert.deepEqual(
			[count?.fleiss_kappa, count?.standard_error, count?.ci_95, count?.p_bar, count?.pe_bar, count?.categories, count?.interpretation],
			[-0.194, 0.1303, { lower: -0.4494, upper: 0.0614 }, 0.6, 0.665, 3, 'poor'],
		);
		const categories = summary.find((s) => s.instruction_id === CATEGORIES);
		assert.equal(categories?.single_choice, false);
		assert.equal(categories?.fleiss_kappa, null);
		assert.equal(categories?.reason, 'not computed: select all that apply, see per_option');
		const perOption = categories?.per_option as { mean_kappa: number; options: Array<Record<string, unknown>> };
		// statsmodels fleiss_kappa per option (picked / not picked): 0.560440, 0.466667, 0.761905, 1, 0.411765.
		assert.deepEqual(
			perOption.options.map((o) => [o.option, o.fleiss_kappa]),
			[
				['Accessories', 0.5604],
				['Clothing', 0.4667],
				['Home & Garden', 0.7619],
				['Electronics', 1],
				['Sport', 0.4118],
			],
		);
		assert.equal(perOption.mean_kappa, 0.6402);
	});

	it('Rows: majority, share and pair agreement columns after each choice instruction', async () => {
		const run = await runExport(emulator, {
			batchId: BATCH_ID,
			output: 'rows',
			includeFiles: false,
			options: { agreement: true },
		});
		assert.equal(run.items.length, 20);
		assert.deepEqual(Object.keys(run.items[0].json).slice(6, 18), [
			'Which categories apply?',
			'Which categories apply? (majority)',
			'Which categories apply? (majority share)',
			'Which categories apply? (pair agreement)',
			COUNT_LABEL,
			`${COUNT_LABEL} (majority)`,
			`${COUNT_LABEL} (majority share)`,
			`${COUNT_LABEL} (pair agreement)`,
			'Is the photo usable?',
			'Is the photo usable? (majority)',
			'Is the photo usable? (majority share)',
			'Is the photo usable? (pair agreement)',
		]);
		const row = run.items[2].json; // submission 1, task 3
		assert.equal(row.task_id, TASK[2]);
		assert.equal(row['Which categories apply? (majority)'], 'Electronics');
		assert.equal(row['Which categories apply? (majority share)'], 1);
		assert.equal(row['Is the photo usable? (majority)'], 'Yes');
		assert.equal(row['Is the photo usable? (majority share)'], 0.8);
		assert.equal(row['Is the photo usable? (pair agreement)'], 0.6);
		// Select all that apply: Electronics picked by all 5 (1), Accessories and Home & Garden by 1 each (12/20) -> 2.2/3.
		assert.equal(row['Which categories apply? (pair agreement)'], 0.7333);
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
		assert.deepEqual(rows[7].agreement, { fleiss_kappa: null, reason: 'not computed: rank_order responses are not choices among options' });
		assert.equal(rows[0].agreement, null, 'free text: nothing to agree on, nothing said');
		assert.deepEqual(rows[4].agreement, USABLE_AGREEMENT);
		assert.equal(
			text,
			[
				'Product Image Annotation: 5 submissions from 5 participants across 4 tasks, 25 files (' +
					`${(filesSize / 1024).toFixed(1)} KiB). Submitted between 2026-03-19 08:12 UTC and 2026-03-19 21:58 UTC.`,
				'Completion:',
				'• Briefly describe the item shown: 100%',
				"• Estimate the item's width: 100%",
				'• Which categories apply?: 100% (select all that apply: mean per-option κ 0.64, substantial, over 5 options; majority 95% on average)',
				`• ${COUNT_LABEL}: 100% (Fleiss' κ -0.19, poor, 95% CI -0.45 to 0.06 over 4 tasks; majority 80% on average)`,
				"• Is the photo usable?: 100% (Fleiss' κ -0.11, poor, 95% CI -0.42 to 0.20 over 4 tasks; majority 90% on average)",
				'• Upload a photo of the item: 100%',
				'• Attach the receipt (optional): 20%',
				'• Rank the three reference shots by similarity: 100% (κ not computed: rank_order responses are not choices among options)',
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

/** A fresh copy of the sample batch, changed by `change`; its ID. */
function addBatch(change: Partial<BatchSpec>): string {
	const batchId = randomUUID();
	emulator.addBatch({ ...sampleBatch, ...change, batch_id: batchId });
	return batchId;
}

const QUESTION = { id: '0195d000-0000-7000-8000-000000000001', type: 'multiple_choice', description: 'Is it a cat?' };

/** One choice instruction; `answers[t]` are task t's answers, participant p giving the p-th. */
function choiceBatch(answers: string[][]): string {
	const participants = Math.max(...answers.map((task) => task.length));
	const taskIds = answers.map((_, t) => `7a000000-0000-4000-8000-00000000000${t}`);
	const submissions = Array.from({ length: participants }, (_, p) => ({
		submission_id: `67e00000000000000000000${p}`,
		participant_id: `5f9000000000000000000${p}`,
		created_at: `2026-03-19T10:0${p}:00Z`,
		responses: Object.fromEntries(
			answers.flatMap((task, t) => (p < task.length ? [[taskIds[t], { [QUESTION.id]: { ...QUESTION, values: [task[p]] } }]] : [])),
		),
	}));
	return addBatch({ instructions: [QUESTION], task_ids: taskIds, submissions, files: {} });
}

describe('agreement: what decides the figures, and why one is absent', () => {
	it("batch.json's answer_limit makes an instruction select all that apply, even when everyone picked one option", async () => {
		const instructions = sampleBatch.instructions.map((i) => (i.id === COUNT ? { ...i, answer_limit: -1 } : i.id === USABLE ? { ...i, answer_limit: 1 } : i));
		const batchId = addBatch({ instructions });
		const summary = (await runExport(emulator, { batchId, output: 'summary' })).items[0].json;
		const agreement = (id: string) =>
			(summary.instructions as Array<Record<string, unknown>>).find((i) => i.id === id)?.agreement as Record<string, unknown>;
		assert.equal(agreement(COUNT).single_choice, false);
		assert.equal(agreement(COUNT).fleiss_kappa, null);
		// Per option (picked / not picked), statsmodels fleiss_kappa: 1 -> -0.25, 2 -> -0.176471, false -> -0.052632.
		const options = (agreement(COUNT).per_option as { options: Array<Record<string, unknown>> }).options;
		assert.deepEqual(
			options.map((o) => [o.option, o.fleiss_kappa]),
			[
				['1', -0.25],
				['2', -0.1765],
				['false', -0.0526],
			],
		);
		assert.equal(agreement(USABLE).fleiss_kappa, -0.1111, 'answer_limit 1: one kappa, as before');

		const tasks = await runExport(emulator, { batchId, output: 'tasks', includeFiles: false, options: { agreement: true } });
		const closing = tasks.items[4].json.agreement_summary as Array<Record<string, unknown>>;
		assert.deepEqual(closing.find((s) => s.instruction_id === COUNT)?.per_option, agreement(COUNT).per_option);
	});

	it('a task with one participant is left out and counted; the text says so', async () => {
		// Tasks answered by 3, 2 and 1 participants. Plain Python (see test/unit/agreement.test.ts):
		// P̄ = (1/3 + 1)/2 = 0.666667, P̄e = .4² + .6² = 0.52, κ 0.305556, SE 0.577350 (raters 3 and 2).
		const batchId = choiceBatch([['Yes', 'Yes', 'No'], ['No', 'No'], ['Yes']]);
		const run = await runExport(emulator, { batchId, output: 'summary' });
		const [instruction] = run.items[0].json.instructions as Array<Record<string, unknown>>;
		assert.deepEqual(instruction.agreement, {
			tasks: 3,
			single_choice: true,
			fleiss_kappa: 0.3056,
			reason: null,
			interpretation: 'fair',
			standard_error: 0.5774,
			ci_95: { lower: -0.826, upper: 1 },
			p_bar: 0.6667,
			pe_bar: 0.52,
			subjects: 2,
			tasks_left_out: 1,
			raters: { min: 2, max: 3 },
			categories: 2,
			per_option: null,
			mean_majority_share: 0.8889,
		});
		assert.match(
			String(run.items[0].json.text),
			/• Is it a cat\?: 100% \(Fleiss' κ 0\.31, fair, 95% CI -0\.83 to 1\.00 over 2 tasks; majority 89% on average; 1 task with one participant left out\)$/,
		);
	});

	it('every rating the same: kappa undefined, and the text says so rather than only "majority 100%"', async () => {
		const batchId = choiceBatch([['Yes', 'Yes'], ['Yes', 'Yes', 'Yes']]);
		const run = await runExport(emulator, { batchId, output: 'summary' });
		const [instruction] = run.items[0].json.instructions as Array<Record<string, unknown>>;
		const agreement = instruction.agreement as Record<string, unknown>;
		assert.deepEqual([agreement.fleiss_kappa, agreement.reason, agreement.p_bar, agreement.pe_bar], [null, 'undefined: every rating is the same option', 1, 1]);
		assert.match(String(run.items[0].json.text), /• Is it a cat\?: 100% \(κ undefined: every rating is the same option; majority 100% on average\)$/);
	});
});
