import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { fleissKappa } from '../../nodes/ProlificBatchExport/output/agreement';

const subjects = (rows: Array<Record<string, number>>) => rows.map((row) => new Map(Object.entries(row)));

describe("Fleiss' kappa", () => {
	it("matches the published worked example (Wikipedia, 'Fleiss' kappa': 10 subjects, 14 raters, 5 categories, κ ≈ 0.210)", () => {
		const table = [
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
		const kappa = fleissKappa(table.map((row) => new Map(row.map((n, j) => [`c${j + 1}`, n]))));
		assert.ok(kappa !== null && Math.abs(kappa - 0.21) < 0.0005, `κ = ${kappa}`);
	});

	it('matches a hand-computed example: 3 tasks x 3 raters, yes/no -> 22/40 = 0.55', () => {
		assert.equal(fleissKappa(subjects([{ yes: 3 }, { yes: 2, no: 1 }, { no: 3 }])), 0.55);
	});

	it('is undefined (null) when every rating is one category, or no task has two raters', () => {
		assert.equal(fleissKappa(subjects([{ yes: 3 }, { yes: 4 }])), null);
		assert.equal(fleissKappa(subjects([{ yes: 1 }, { no: 1 }])), null);
	});

	it('leaves out tasks with a single rater and allows different rater counts', () => {
		// {yes:1} adds nothing; the rest: P = (1 + 1/3 + 1) / 3 as above, but with 4 raters on one task.
		const kappa = fleissKappa(subjects([{ yes: 3 }, { yes: 2, no: 1 }, { no: 4 }, { yes: 1 }]));
		// P̄ = (1 + 1/3 + 1)/3 = 7/9; p_yes = 5/10, p_no = 5/10 -> P̄e = 1/2; κ = (7/9 - 1/2)/(1/2) = 5/9.
		assert.equal(kappa, 0.5556);
	});
});
