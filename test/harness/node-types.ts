import type {
	INodeExecutionData,
	INodeType,
	INodeTypes,
	ITriggerFunctions,
	ITriggerResponse,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeHelpers, UnexpectedError } from 'n8n-workflow';

export const ITEM_SOURCE_NODE_TYPE = 'harness.itemSource';

/** n8n-nodes-base is not installed: this mirrors its Manual Trigger (one empty item on manual run). */
export class ManualTrigger implements INodeType {
	description: INodeType['description'] = {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Runs the flow on clicking a button in n8n',
		defaults: { name: 'When clicking ‘Execute workflow’' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const manualTriggerFunction = async () => {
			this.emit([this.helpers.returnJsonArray([{}])]);
		};
		return { manualTriggerFunction };
	}
}

/**
 * A node that emits fixed items, each paired to the trigger's single item, as an upstream node
 * would. n8n calls `execute` with the execution context as `this`, so the items live in a closure.
 */
export function itemSource(items: INodeExecutionData[]): INodeType {
	return helperNode('Item Source', 'Emits the items a test feeds to the node under test', async function () {
		return [items.map((item) => ({ ...structuredClone(item), pairedItem: { item: 0 } }))];
	});
}

/** A one-input, one-output node with no parameters, around `execute`: the harness's and the benchmark's helpers. */
export function helperNode(displayName: string, description: string, execute: INodeType['execute']): INodeType {
	const name = displayName.replace(/\s/g, '').replace(/^./, (first) => first.toLowerCase());
	return {
		description: {
			displayName,
			name,
			group: ['transform'],
			version: 1,
			description,
			defaults: { name: displayName },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		execute,
	};
}

/** A real INodeTypes registry over the given type instances, resolved as n8n's NodeTypes does. */
export class HarnessNodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType | IVersionedNodeType>) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types[nodeType];
		if (!type) throw new UnexpectedError(`Unrecognized node type: ${nodeType}`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes() {
		return {};
	}
}
