import type { DamagedText } from '../archive/reader';
import { capitalised, describeTarget } from '../resources';
import type { ExportTarget } from '../types';
import type { FileRef, OutputContext, RefStatus } from './types';

/** How many files a warning names before it says "and N more". */
const NAMED = 3;

/** The first few, then how many more: a warning a researcher can act on, of a bounded length. */
function listed(names: string[]): string {
	const more = names.length - NAMED;
	return names.slice(0, NAMED).join(', ') + (more > 0 ? `, and ${more} more` : '');
}

/** File references that need someone's attention, by what became of them. */
export interface FileProblems {
	missing: FileRef[];
	outside: FileRef[];
	foreign: FileRef[];
	unreferenced: string[];
}

export function noFileProblems(): FileProblems {
	return { missing: [], outside: [], foreign: [], unreferenced: [] };
}

/** Notes a reference whose status needs attention; others pass. */
export function noteFileProblem(problems: FileProblems, status: RefStatus, ref: FileRef): void {
	if (status === 'missing' || status === 'outside' || status === 'foreign') problems[status].push(ref);
}

/** Missing, misplaced, foreign and unreferenced files are marked in the items; this makes sure someone sees them. */
export function reportFileProblems(ctx: OutputContext, target: ExportTarget, problems: FileProblems, oneItemPerFile = false): void {
	const { missing, outside, foreign, unreferenced } = problems;
	const named = (refs: FileRef[]) => listed(refs.map(({ path, submission_id }) => (submission_id ? `${path} (submission ${submission_id})` : path)));
	const notAttached = oneItemPerFile ? 'they have no item' : "status 'missing'";
	const clauses = [
		missing.length && `${missing.length} response file(s) are missing from the archive (${notAttached}): ${named(missing)}`,
		outside.length &&
			`${outside.length} response file(s) name a path outside files/, which holds the uploads, and were not attached (${notAttached}): ${named(outside)}`,
		foreign.length &&
			`${foreign.length} response file(s) are named as another submission's upload, attached but marked (${oneItemPerFile ? 'foreign: true' : "status 'foreign'"}): ${named(foreign)}`,
		unreferenced.length &&
			`${unreferenced.length} file(s) in the archive are not referenced by any response (${oneItemPerFile ? 'marked unreferenced: true' : "status 'unreferenced'"}): ${listed(unreferenced)}`,
	].filter(Boolean);
	if (clauses.length) warn(ctx, target, `${clauses.join('; ')}.${oneItemPerFile ? '' : " See the 'files' field of the items."}`);
}

/** Records are kept with U+FFFD where their bytes were not UTF-8; this says where. */
export function reportDamagedText(ctx: OutputContext, target: ExportTarget, damaged: DamagedText[]): void {
	if (!damaged.length) return;
	const where = damaged.map(({ file, lines }) => `${lines.length > 1 ? 'lines' : 'line'} ${listed(lines.map(String))} of ${file}`);
	warn(
		ctx,
		target,
		`bytes that are not valid UTF-8 were read as U+FFFD (\uFFFD), their records kept: ${where.join('; ')}. The export may be damaged: check those records, or run the node again for a fresh export.`,
	);
}

function warn(ctx: OutputContext, target: ExportTarget, message: string): void {
	if (typeof ctx.addExecutionHints !== 'function') return;
	ctx.addExecutionHints({ message: `${capitalised(describeTarget(target))}: ${message}`, type: 'warning', location: 'outputPane' });
}
