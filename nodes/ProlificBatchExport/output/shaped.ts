import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { normalisePath } from '../archive/paths';
import type { SubmissionRecord } from '../archive/records';
import { attachFiles, binaryOf, placeUnreferencedFiles, type AttachedFiles, type DescribeFiles, type StrayScope } from './attachments';
import { BinaryWriter } from './binary-writer';
import type { ExportContents, Submission } from './contents';
import { noFileProblems, reportFileProblems } from './problems';
import { submissionFileRefs } from './submissions';
import type { OutputRequest, ShapedItem } from './types';

/** What Submissions, Tasks and Rows shape from an export before files are attached. */
export interface Shaped {
	shaped: ShapedItem[];
	scope?: StrayScope;
	/** An item after the others (Tasks with agreement: the batch's figures). */
	closing?: IDataObject;
}

/**
 * Submissions, Tasks and Rows: the shaped items, then (with Include Files) their files stored
 * in n8n's binary store and described in each item by `describe`.
 */
export function shapedOutput(
	describe: DescribeFiles,
	shape: (request: OutputRequest) => Promise<Shaped>,
): (request: OutputRequest) => Promise<INodeExecutionData[]> {
	return async (request) => {
		const { ctx, contents, settings, itemIndex } = request;
		const { shaped, scope, closing } = await shape(request);
		const last = closing ? [{ json: { ...contents.idField, ...closing }, pairedItem: { item: itemIndex } }] : [];
		if (!settings.includeFiles) {
			return [...shaped.map((item) => ({ json: item.json, pairedItem: { item: itemIndex } })), ...last];
		}
		const { archive } = contents;
		const problems = noFileProblems();
		problems.unreferenced = placeUnreferencedFiles(shaped, archive, scope);
		const writer = new BinaryWriter(ctx, archive);
		const attached: Array<AttachedFiles | undefined> = [];
		for (const item of shaped) {
			attached.push(item.files.length ? await attachFiles(writer, archive, item.files, settings.binaryPrefix, problems) : undefined);
		}
		await writer.finish();
		const items = shaped.map((item, index): INodeExecutionData => {
			const stored = attached[index]?.stored;
			return { json: describe(item.json, attached[index]?.files ?? []), ...(stored?.size && { binary: binaryOf(stored) }), pairedItem: { item: itemIndex } };
		});
		reportFileProblems(ctx, contents.target, problems);
		return [...items, ...last];
	};
}

/** The submissions in the window chosen by `select` (all by default), and what the whole export references. */
export async function selectedSubmissions(
	contents: ExportContents,
	select?: (submissions: SubmissionRecord[]) => SubmissionRecord[],
): Promise<{ submissions: Submission[]; scope?: StrayScope }> {
	const all = await contents.allSubmissions();
	const inWindow = await contents.submissions();
	const chosen = select ? new Set(select(inWindow.map(({ record }) => record))) : undefined;
	const submissions = chosen ? inWindow.filter(({ record }) => chosen.has(record)) : inWindow;
	if (submissions.length === all.length) return { submissions };
	// Files of submissions left out are not strays: only the export as a whole says what is.
	const referenced = new Set(all.flatMap(({ record }) => submissionFileRefs(record).map((file) => normalisePath(file.path))));
	return { submissions, scope: { referenced } };
}
