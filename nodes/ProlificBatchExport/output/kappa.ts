/**
 * Fleiss' kappa and the figures behind it, over subjects (tasks) each rated by some raters
 * (participants). Pure arithmetic: nothing here knows about archives or n8n.
 */

/** One subject: category -> how many raters chose it. */
export type Subject = Map<string, number>;

/** Why a kappa is absent: the JSON's `reason` and the Summary text say it as is. */
export const WHY = {
	fewTasks: 'not computed: not enough tasks rated by two or more participants',
	oneOption: 'undefined: every rating is the same option',
	selectAll: 'not computed: select all that apply, see per_option',
	everyOptionOneWay: 'undefined for every option: each was picked by everyone or by no one',
} as const;

export interface Interval {
	lower: number;
	upper: number;
}

/** What a kappa rests on: the part of KappaFigures that differs from option to option. */
export interface KappaCore {
	fleiss_kappa: number | null;
	reason: string | null;
	interpretation: string | null;
	standard_error: number | null;
	ci_95: Interval | null;
	p_bar: number | null;
	pe_bar: number | null;
}

export interface KappaFigures extends KappaCore {
	/** Tasks with two or more raters: the ones kappa is computed over. */
	subjects: number;
	/** Tasks with a single rater: they say nothing about agreement. */
	tasks_left_out: number;
	raters: { min: number; max: number } | null;
	categories: number;
}

/** z for a two-sided 95% interval. */
const Z95 = 1.959964;

/**
 * Fleiss (1971) kappa. Raters may differ from task to task: each task's P_i is over its own
 * pairs of raters, P̄ is their mean, and p_j pools every rating of the tasks that enter (so with
 * equal raters this is Fleiss' own formula). Tasks with one rater are left out and counted.
 */
export function fleiss(subjects: Subject[]): KappaFigures {
	const sizes = subjects.map((subject) => sum(subject.values()));
	const rated = subjects.filter((_, index) => sizes[index] >= 2);
	const categories = new Set(rated.flatMap((subject) => [...subject].filter(([, n]) => n > 0).map(([category]) => category)));
	return { ...kappaOf(rated), ...taskShape(sizes), categories: categories.size };
}

/** How many tasks enter (two or more raters) and how many raters they have. */
function taskShape(sizes: number[]): Pick<KappaFigures, 'subjects' | 'tasks_left_out' | 'raters'> {
	const counts = sizes.filter((n) => n >= 2);
	return {
		subjects: counts.length,
		tasks_left_out: sizes.length - counts.length,
		// reduce, not Math.min(...counts): a batch can have more tasks than a call has arguments.
		raters: counts.length ? { min: counts.reduce((a, b) => Math.min(a, b)), max: counts.reduce((a, b) => Math.max(a, b)) } : null,
	};
}

/** Kappa over tasks that each have two or more raters. */
function kappaOf(rated: Subject[]): KappaCore {
	if (rated.length < 2) return absent(WHY.fewTasks);
	const totals = new Map<string, number>();
	const raters: number[] = [];
	let observed = 0;
	for (const subject of rated) {
		const n = sum(subject.values());
		let pairs = 0;
		for (const [category, count] of subject) {
			totals.set(category, (totals.get(category) ?? 0) + count);
			pairs += count * (count - 1);
		}
		observed += pairs / (n * (n - 1));
		raters.push(n);
	}
	const ratings = sum(raters);
	const shares = [...totals.values()].map((count) => count / ratings);
	const pBar = observed / rated.length;
	const peBar = sum(shares.map((p) => p * p));
	const figures = { p_bar: round(pBar), pe_bar: round(peBar) };
	if (peBar >= 1 - 1e-12) return { ...absent(WHY.oneOption), ...figures };
	const kappa = (pBar - peBar) / (1 - peBar);
	const se = nullStandardError(shares, raters);
	return {
		fleiss_kappa: round(kappa),
		reason: null,
		// The label of the figure shown, so the two never disagree at a boundary.
		interpretation: landisKoch(round(kappa)),
		standard_error: round(se),
		ci_95: { lower: round(Math.max(-1, kappa - Z95 * se)), upper: round(Math.min(1, kappa + Z95 * se)) },
		...figures,
	};
}

/**
 * Fleiss, Nee & Landis (1979): kappa's asymptotic standard error under the null (no agreement
 * beyond chance). With n raters on each of N tasks,
 *   Var = 2 / (N n (n-1)) · [(Σ p_j q_j)² - Σ p_j q_j (q_j - p_j)] / (Σ p_j q_j)².
 * That is the variance of P̄ = mean of P_i, each P_i's null variance being 2 / (n (n-1)) times
 * the bracket; with n_i raters on task i, 1 / (n (n-1)) becomes the mean of 1 / (n_i (n_i - 1)).
 */
function nullStandardError(shares: number[], raters: number[]): number {
	const pq = sum(shares.map((p) => p * (1 - p)));
	const skew = sum(shares.map((p) => p * (1 - p) * (1 - 2 * p)));
	const pairs = sum(raters.map((n) => 1 / (n * (n - 1)))) / raters.length;
	return Math.sqrt(Math.max(0, ((2 * pairs) / raters.length) * ((pq * pq - skew) / (pq * pq))));
}

/** Landis & Koch (1977)'s words for a kappa, as researchers quote them. */
export function landisKoch(kappa: number): string {
	if (kappa < 0) return 'poor';
	if (kappa <= 0.2) return 'slight';
	if (kappa <= 0.4) return 'fair';
	if (kappa <= 0.6) return 'moderate';
	if (kappa <= 0.8) return 'substantial';
	return 'almost perfect';
}

export interface OptionKappa extends KappaCore {
	option: string;
}

export interface PerOption {
	/** The mean of the options' kappas, over those where kappa is defined. */
	mean_kappa: number | null;
	interpretation: string | null;
	reason: string | null;
	options: OptionKappa[];
}

/**
 * Select all that apply: each option is its own yes/no question (picked or not by each rater of
 * a task), scored with Fleiss' kappa; then the mean over options. `picks` holds, per task, the
 * options each of its raters picked.
 */
export function perOption(picks: string[][][]): { figures: KappaFigures; perOption: PerOption } {
	const rated = picks.filter((task) => task.length >= 2);
	const options = [...new Set(rated.flat(2))];
	const scored = options.map((option): OptionKappa => {
		const subjects = rated.map((task) => {
			const yes = task.filter((picked) => picked.includes(option)).length;
			return new Map([
				['picked', yes],
				['not picked', task.length - yes],
			]);
		});
		return { option, ...kappaOf(subjects) };
	});
	const kappas = scored.map((option) => option.fleiss_kappa).filter((kappa): kappa is number => kappa !== null);
	const mean = kappas.length ? round(sum(kappas) / kappas.length) : null;
	return {
		figures: { ...absent(WHY.selectAll), ...taskShape(picks.map((task) => task.length)), categories: options.length },
		perOption: {
			mean_kappa: mean,
			interpretation: mean === null ? null : landisKoch(mean),
			reason: mean !== null ? null : rated.length < 2 ? WHY.fewTasks : WHY.everyOptionOneWay,
			options: scored,
		},
	};
}

/** A kappa that is not there, and why. */
export function absent(reason: string): KappaCore {
	return { fleiss_kappa: null, reason, interpretation: null, standard_error: null, ci_95: null, p_bar: null, pe_bar: null };
}

function sum(values: Iterable<number>): number {
	let total = 0;
	for (const value of values) total += value;
	return total;
}

export function round(value: number): number {
	return Math.round(value * 10_000) / 10_000;
}
