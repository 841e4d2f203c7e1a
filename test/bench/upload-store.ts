import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

import { MAX_WRITES } from '../../nodes/ProlificBatchExport/output/binary-writer';
import { helperNode } from '../harness/node-types';

/**
 * A trivial node that stores every file of `dir` (the first `limit`) in n8n's binary store, one
 * item each, through the same helper and with the same concurrency as Prolific Batch Export: the
 * benchmark's reference for what n8n's store itself costs per upload.
 */
export function uploadStore(dir: string, limit = Infinity): INodeType {
	return helperNode('Upload Store', "Stores a folder's files as binary data", async function (this: IExecuteFunctions) {
		const names = readdirSync(dir).sort().slice(0, limit);
		const items: INodeExecutionData[] = new Array(names.length);
		let next = 0;
		const worker = async () => {
			for (let i = next++; i < names.length; i = next++) {
				const data = await this.helpers.prepareBinaryData(createReadStream(join(dir, names[i])), names[i], 'application/octet-stream');
				items[i] = { json: { name: names[i] }, binary: { data }, pairedItem: { item: 0 } };
			}
		};
		await Promise.all(Array.from({ length: MAX_WRITES }, worker));
		return [items];
	});
}
