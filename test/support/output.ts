import type { IDataObject } from 'n8n-workflow';

import type { RunResult } from '../harness';

export interface OutputItem {
	json: IDataObject;
	pairedItem: unknown;
	/** property -> what a downstream node sees of the file: its name, type and bytes */
	binary: Record<string, { fileName?: string; mimeType: string; fileExtension?: string; bytes: Buffer }>;
}

export type Output = OutputItem[];

/**
 * What a run handed downstream, without what differs between two runs of the same export
 * (binary store IDs): two runs with equal outputs gave the same JSON and the same file bytes.
 */
export function outputOf(run: RunResult): Output {
	return run.items.map((item) => ({
		json: item.json,
		pairedItem: item.pairedItem,
		binary: Object.fromEntries(
			Object.entries(item.binary).map(([property, { fileName, mimeType, fileExtension, bytes }]) => [
				property,
				{ fileName, mimeType, fileExtension, bytes },
			]),
		),
	}));
}
