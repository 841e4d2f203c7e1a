import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType } from 'n8n-workflow';

/** Stored at once, as the node's binary writer does. */
const AT_ONCE = 8;

/**
 * A trivial node that stores every file of `dir` (the first `limit`) in n8n's binary store, one
 * item each, through the same helper and with the same concurrency as Prolific Batch Export: the
 * benchmark's reference for what n8n's store itself costs per upload.
 */
export function uploadStore(dir: string, limit = Infinity): INodeType {
	return {
		description: {
			displayName: 'Upload Store',
			name: 'uploadStore',
			group: ['transform'],
			version: 1,
			description: "Stores a folder's files as binary data",
			defaults: { name: 'Upload Store' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute(this: IExecuteFunctions) {
			const names = readdirSync(dir).sort().slice(0, limit);
			const items: INodeExecutionData[] = new Array(names.length);
			let next = 0;
			const worker = async () => {
				for (let i = next++; i < names.length; i = next++) {
					const data = await this.helpers.prepareBinaryData(createReadStream(join(dir, names[i])), names[i], 'application/octet-stream');
					items[i] = { json: { name: names[i] }, binary: { data }, pairedItem: { item: 0 } };
				}
			};
			await Promise.all(Array.from({ length: AT_ONCE }, worker));
			return [items];
		},
	};
}
