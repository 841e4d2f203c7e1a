import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { NodeHelpers, Workflow, type INodeParameters, type INodeType } from 'n8n-workflow';

import { HarnessNodeTypes } from '../harness/node-types';
import { batchExportNode, batchExportTrigger } from '../support/node';

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/** The canvas subtitle as the editor works it out: parameters with their defaults, hidden ones left out. */
function subtitle(type: INodeType, chosen: INodeParameters): unknown {
	const { description } = type;
	const parameters = NodeHelpers.getNodeParameters(description.properties, chosen, true, false, null, description) ?? {};
	const node = { id: '1', name: 'Node', type: description.name, typeVersion: 1, position: [0, 0] as [number, number], parameters };
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new HarnessNodeTypes({ [description.name]: type }),
	});
	return workflow.expression.getSimpleParameterValue(node, description.subtitle ?? '', 'internal', {});
}

describe('how the editor shows the node', () => {
	it('the canvas subtitle names the operation, the resource and the output', () => {
		assert.equal(subtitle(batchExportNode, {}), 'export batch: submissions');
		assert.equal(subtitle(batchExportNode, { output: 'rows' }), 'export batch: rows');
		assert.equal(subtitle(batchExportNode, { resource: 'collection', output: 'files' }), 'export collection: files');
		assert.equal(subtitle(batchExportNode, { operation: 'startExport', output: 'rows' }), 'startExport batch');
		assert.equal(subtitle(batchExportTrigger, { output: 'rows' }), 'New rows');
	});

	it("the Docs link opens this package's documentation, not Prolific's API reference", () => {
		const { homepage } = json('package.json');
		for (const codex of [
			'nodes/ProlificBatchExport/ProlificBatchExport.node.json',
			'nodes/ProlificBatchExportTrigger/ProlificBatchExportTrigger.node.json',
		]) {
			const [primary] = json(codex).resources.primaryDocumentation;
			assert.equal(primary.url, `${homepage}#readme`, codex);
		}
	});
});
