import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { capitalised, describeTarget } from '../resources';
import { stampedFileName } from './archive-item';
import { readCsv } from './csv';
import { setOwn, uniqueNamer } from './instructions';
import { assertStorable } from './store-limits';
import type { ReportRequest } from './types';

/** How many column names an empty report's hint lists. */
const NAMED_COLUMNS = 5;

/**
 * One item per row of the batch report, its cells under the header's names in the header's
 * order, as text (the node does not guess what a column means). Repeated names are made unique
 * as Rows makes instruction columns unique (`tag`, `tag (2)`); a column with no name is named by
 * its position (`Column 3`). With Attach Report, the first item also carries the CSV itself.
 */
export async function reportItems({ ctx, target, report, settings, itemIndex }: ReportRequest): Promise<INodeExecutionData[]> {
	// Refused before the rows are read: a report n8n cannot hand on is found out at once.
	if (settings.attachReport) {
		await assertStorable(ctx, report.csv.size, "Prolific's report CSV", 'Turn Attach Report CSV off (its rows still arrive as items)');
	}
	let columns: string[] | undefined;
	const items: INodeExecutionData[] = [];
	await readCsv(report.csv, (cells) => {
		if (!columns) {
			const unique = uniqueNamer([]);
			columns = cells.map((name, index) => unique(name === '' ? `Column ${index + 1}` : name));
			return;
		}
		const json: IDataObject = {};
		// readCsv holds every row to the header's width: every item has every column.
		columns.forEach((name, index) => setOwn(json, name, cells[index]));
		items.push({ json, pairedItem: { item: itemIndex } });
	});
	if (!items.length) {
		const has = columns?.length
			? `has columns (${columns.slice(0, NAMED_COLUMNS).join(', ')}${columns.length > NAMED_COLUMNS ? ', …' : ''}) but no rows`
			: 'is empty';
		ctx.addExecutionHints?.({
			message: `${capitalised(describeTarget(target))}: Prolific's report ${has}, so there are no items. It lists the batch's dataset once the batch is READY.`,
			type: 'warning',
			location: 'outputPane',
		});
		return [];
	}
	if (settings.attachReport) {
		const fileName = stampedFileName(target.id, 'report', 'csv', ctx.getTimezone());
		items[0].binary = { [settings.binaryProperty]: await ctx.helpers.prepareBinaryData(report.csv.stream(0, report.csv.size), fileName, 'text/csv') };
	}
	return items;
}
