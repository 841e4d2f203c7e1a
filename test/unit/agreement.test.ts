import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { choiceGroups, pairAgreement, tally, type Placed } from '../../nodes/ProlificBatchExport/output/agreement';
import { fleiss, landisKoch, perOption, WHY } from '../../nodes/ProlificBatchExport/output/kappa';

/*
 * Expected values: the published table and its figures (Fleiss 1971, the worked example of
 * Wikipedia's "Fleiss' kappa"), hand computations shown beside them, and figures computed once
 * with Python 3.11: statsmodels 0.15.0 `statsmodels.stats.inter_rater.fleiss_kappa` for kappa
 * (equal raters only: it refuses tables whose rows differ), and a plain-Python transcription of
 * Fleiss, Nee & Landis (1979) for the standard error:
 *   Var = 2 / (N n (n-1)) · [(Σ p_j q_j)² - Σ p_j q_j (q_j - p_j)] / (Σ p_j q_j)²,
 * with 1 / (n (n-1)) taken as the mean of 1 / (n_i (n_i - 1)) where raters differ.
 * Nothing runs Python at test time.
 */

const table = (rows: number[][]) => rows.map((row) => new Map(row.map((n, j) => [`c${j + 1}`, n])));
const subjects = (rows: Array<Record<string, number>>) => rows.map((row) => new Map(Object.entries(row)));
const near = (actual: number | null | undefined, expected: number, digits: number) =>
	assert.ok(actual != null && Math.abs(actual - expected) < 0.5 * 10 ** -digits, `${actual} ≠ ${expected} to ${digits} decimals`);

/** Fleiss (1971): 10 subjects, 14 raters each, 5 categories, as Wikipedia's "Fleiss' kappa" prints it. */
const FLEISS_1971 = [
	[0, 0, 0, 0, 14],
	[0, 2, 6, 4, 2],
	[0, 0, 3, 5, 6],
	[0, 3, 9, 2, 0],
	[2, 2, 8, 1, 1],
	[7, 7, 0, 0, 0],
	[3, 2, 6, 3, 0],
	[2, 5, 3, 2, 2],
	[6, 5, 2, 1, 0],
	[0, 2, 2, 3, 7],
];

describe("Fleiss' kappa and the figures behind it", () => {
	it('reproduces the published example: κ 0.210, P̄ 0.378, P̄e 0.213 (10 tasks x 14 raters x 5 categories)', () => {
		// The table as published: every row 14 raters, column totals 20, 28, 39, 21, 32 (p_j .143 .200 .279 .150 .229).
		assert.ok(FLEISS_1971.every((row) => row.reduce((a, b) => a + b) === 14));
		assert.deepEqual([0, 1, 2, 3, 4].map((j) => FLEISS_1971.reduce((sum, row) => sum + row[j], 0)), [20, 28, 39, 21, 32]);
		const figures = fleiss(table(FLEISS_1971));
		near(figures.fleiss_kappa, 0.21, 3);
		near(figures.p_bar, 0.378, 3);
		near(figures.pe_bar, 0.213, 3);
		// statsmodels: 0.209931; FNL 1979 SE: 0.016965; κ ± 1.959964 · SE: 0.176680 to 0.243182.
		assert.equal(figures.fleiss_kappa, 0.2099);
		assert.equal(figures.standard_error, 0.017);
		assert.deepEqual(figures.ci_95, { lower: 0.1767, upper: 0.2432 });
		assert.equal(figures.interpretation, 'fair');
		assert.deepEqual(
			{ subjects: figures.subjects, left: figures.tasks_left_out, raters: figures.raters, categories: figures.categories, reason: figures.reason },
			{ subjects: 10, left: 0, raters: { min: 14, max: 14 }, categories: 5, reason: null },
		);
	});

	it('matches a hand-computed example: 3 tasks x 3 raters, yes/no -> 22/40 = 0.55', () => {
		// P̄ = (1 + 1/3 + 1)/3 = 7/9, p = 5/9 and 4/9 -> P̄e = 41/81; κ = (63/81 - 41/81)/(40/81).
		// SE (FNL, binary): Σ p_j q_j (q_j - p_j) = 0, so Var = 2/(N n(n-1)) = 2/18 -> SE 1/3.
		const figures = fleiss(subjects([{ yes: 3 }, { yes: 2, no: 1 }, { no: 3 }]));
		assert.equal(figures.fleiss_kappa, 0.55);
		assert.equal(figures.standard_error, 0.3333);
		assert.deepEqual(figures.ci_95, { lower: -0.1033, upper: 1 }, 'clipped to 1');
		assert.equal(figures.interpretation, 'moderate');
	});

	it('raters differ: P_i over each task’s own pairs, pooled p_j; a one-rater task is left out and counted', () => {
		// Tasks of 3, 2, 4, 1 and 3 raters; the one-rater task is left out. Plain Python (see top):
		// P̄ 0.625, P̄e 0.430556, κ 0.341463, SE 0.251101. Gwet's variant (irrCAC fleiss.kappa.raw:
		// p_j = mean over all tasks of each task's shares, the one-rater task included) gives 0.363808.
		const figures = fleiss(table([[3, 0, 0], [2, 0, 0], [2, 1, 1], [0, 0, 1], [0, 1, 2]]));
		assert.deepEqual(figures, {
			fleiss_kappa: 0.3415,
			reason: null,
			interpretation: 'fair',
			standard_error: 0.2511,
			ci_95: { lower: -0.1507, upper: 0.8336 },
			p_bar: 0.625,
			pe_bar: 0.4306,
			subjects: 4,
			tasks_left_out: 1,
			raters: { min: 2, max: 4 },
			categories: 3,
		});
	});

	it('says why kappa is absent: too few tasks with two raters, or every rating the same option', () => {
		// A collection: one "task" (the collection itself), three answers. Kappa there is always -1/(N-1).
		const collection = fleiss(subjects([{ Outdoors: 2, Indoors: 1 }]));
		assert.equal(collection.fleiss_kappa, null);
		assert.equal(collection.reason, WHY.fewTasks);
		assert.equal(collection.subjects, 1);
		assert.equal(fleiss(subjects([{ yes: 1 }, { no: 1 }, { yes: 1 }])).reason, WHY.fewTasks);
		const same = fleiss(subjects([{ yes: 3 }, { yes: 4 }]));
		assert.deepEqual([same.fleiss_kappa, same.reason, same.p_bar, same.pe_bar, same.standard_error], [null, WHY.oneOption, 1, 1, null]);
	});

	it('copes with more tasks than a function call takes arguments', () => {
		// Half the tasks 2 x a + 1 x b, half 1 x a + 1 x b: P̄ = (1/3 + 0)/2, p_a = 3/5 -> κ = (1/6 - .52)/.48.
		const many = Array.from({ length: 300_000 }, (_, i) => new Map([['a', 1 + (i % 2)], ['b', 1]]));
		const figures = fleiss(many);
		assert.deepEqual([figures.fleiss_kappa, figures.raters], [-0.7361, { min: 2, max: 3 }]);
	});

	it('Landis & Koch labels', () => {
		assert.deepEqual(
			[-0.01, 0, 0.2, 0.2001, 0.4, 0.41, 0.6, 0.61, 0.8, 0.81, 1].map(landisKoch),
			['poor', 'slight', 'slight', 'fair', 'fair', 'moderate', 'moderate', 'substantial', 'substantial', 'almost perfect', 'almost perfect'],
		);
	});
});

/** The sample batch's "Which categories apply?": per task, each of the 5 participants' picks. */
const CATEGORIES = [
	[['A'], ['A', 'C'], ['A'], ['A'], ['A']],
	[['H'], ['H'], ['H', 'A'], ['H'], ['H']],
	[['E'], ['E', 'A'], ['E'], ['E'], ['E', 'H']],
	[['C', 'S'], ['S'], ['C'], ['C'], ['C', 'S']],
];

describe('select all that apply: a kappa per option', () => {
	it('scores each option as picked / not picked across raters, then the mean', () => {
		// statsmodels fleiss_kappa on each option's (picked, not picked) table: A 0.560440, C 0.466667,
		// E 1, H 0.761905, S 0.411765. SE, binary, 4 tasks x 5 raters: sqrt(2/(4·5·4)) = 0.158114.
		const { figures, perOption: options } = perOption(CATEGORIES);
		assert.equal(figures.fleiss_kappa, null);
		assert.equal(figures.reason, WHY.selectAll);
		assert.deepEqual([figures.subjects, figures.raters, figures.categories], [4, { min: 5, max: 5 }, 5]);
		assert.deepEqual(
			options.options.map((o) => [o.option, o.fleiss_kappa, o.standard_error, o.interpretation]),
			[
				['A', 0.5604, 0.1581, 'moderate'],
				['C', 0.4667, 0.1581, 'moderate'],
				['H', 0.7619, 0.1581, 'substantial'],
				['E', 1, 0.1581, 'almost perfect'],
				['S', 0.4118, 0.1581, 'moderate'],
			],
		);
		assert.deepEqual(options.options[3].ci_95, { lower: 0.6901, upper: 1 });
		// (0.5604 + 0.4667 + 0.7619 + 1 + 0.4118) / 5 = 0.64016
		assert.equal(options.mean_kappa, 0.6402);
		assert.equal(options.interpretation, 'substantial');
		assert.equal(options.reason, null);
	});

	it('says why when no option can be scored', () => {
		assert.equal(perOption([[['A'], ['A', 'B']]]).perOption.reason, WHY.fewTasks);
		assert.equal(perOption([[['A'], ['A']], [['A'], ['A']]]).perOption.reason, WHY.everyOptionOneWay);
	});
});

describe('per task and per instruction', () => {
	const response = (...values: unknown[]) => ({ type: 'multiple_choice', values });

	it('pair agreement: the share of a task’s rater pairs that agree (Fleiss’ P_i)', () => {
		// Yes x4, No x1: 4·3 agreeing ordered pairs of 5·4 -> 0.6.
		assert.equal(pairAgreement(tally([1, 2, 3, 4].map(() => response('Yes')).concat(response('No'))), false), 0.6);
		// Select all that apply, task 4 above: C picked by 4 of 5 (12/20), S by 3 of 5 ((6 + 2)/20) -> mean 0.5.
		assert.equal(pairAgreement(tally(CATEGORIES[3].map((picks) => response(...picks))), true), 0.5);
		assert.equal(pairAgreement(tally([response('Yes')]), false), null);
	});

	it('an instruction is select all that apply by its answer_limit, or by a response with several picks', () => {
		const placed: Placed[] = [
			['t1', 'single', response('a')],
			['t1', 'limit', response('a')],
			['t1', 'picks', response('a', 'b')],
			['t1', 'one', response('a')],
		];
		const groups = choiceGroups(placed, new Map([['limit', -1], ['one', 1]]));
		assert.deepEqual(
			[...groups].map(([id, group]) => [id, group.selectAll]),
			[['single', false], ['limit', true], ['picks', true], ['one', false]],
		);
	});
});
