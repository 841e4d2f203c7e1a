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
	if (problems.length && typeof ctx.addExecutionHints === 'function') {
		ctx.addExecutionHints({
			message: `${capitalised(describeTarget(target))}: ${problems.join('; ')}.${oneItemPerFile ? '' : " See the 'files' field of the items."}`,
			type: 'warning',
			location: 'outputPane',
		});
	}
}
