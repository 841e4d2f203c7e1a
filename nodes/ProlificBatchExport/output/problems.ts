import type { DamagedText } from '../archive/reader';
import { capitalised, describeTarget } from '../resources';
import type { ExportTarget } from '../types';
import type { FileRef, OutputContext } from './types';

/** How many files a warning names before it says "and N more". */
const NAMED = 3;

/** The first few, then how many more: a warning a researcher can act on, of a bounded length. */
function listed(names: string[]): string {
	const more = names.length - NAMED;
	return names.slice(0, NAMED).join(', ') + (more > 0 ? `, and ${more} more` : '');
}

/** Missing and unreferenced files are marked in the items; this makes sure someone sees them. */
export function reportFileProblems(
	ctx: OutputContext,
	target: ExportTarget,
	missing: Array<Pick<FileRef, 'path' | 'submission_id'>>,
	unreferenced: string[],
	oneItemPerFile = false,
): void {
	const missingNames = missing.map(({ path, submission_id }) => (submission_id ? `${path} (submission ${submission_id})` : path));
	const problems = [
		missing.length &&
			`${missing.length} response file(s) are missing from the archive (${oneItemPerFile ? 'they have no item' : "status 'missing'"}): ${listed(missingNames)}`,
		unreferenced.length &&
			`${unreferenced.length} file(s) in the archive are not referenced by any response (${oneItemPerFile ? 'marked unreferenced: true' : "status 'unreferenced'"}): ${listed(unreferenced)}`,
	].filter(Boolean);
	if (problems.length) warn(ctx, target, `${problems.join('; ')}.${oneItemPerFile ? '' : " See the 'files' field of the items."}`);
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
