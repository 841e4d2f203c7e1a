import { capitalised, describeTarget } from '../resources';
import type { ExportTarget } from '../types';
import type { OutputContext } from './types';

/** Missing and unreferenced files are marked in the items; this makes sure someone sees them. */
export function reportFileProblems(
	ctx: OutputContext,
	target: ExportTarget,
	missing: number,
	unreferenced: number,
	oneItemPerFile = false,
): void {
	const problems = [
		missing &&
			`${missing} response file(s) are missing from the archive (${oneItemPerFile ? 'they have no item' : "status 'missing'"})`,
		unreferenced &&
			`${unreferenced} file(s) in the archive are not referenced by any response (${oneItemPerFile ? 'marked unreferenced: true' : "status 'unreferenced'"})`,
	].filter(Boolean);
	if (problems.length && typeof ctx.addExecutionHints === 'function') {
		ctx.addExecutionHints({
			message: `${capitalised(describeTarget(target))}: ${problems.join('; ')}.${oneItemPerFile ? '' : " See the 'files' field of the items."}`,
			type: 'warning',
			location: 'outputPane',
		});
	}
}
