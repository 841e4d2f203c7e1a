import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT } from './hosts';
import type { Workflow, WorkflowNode } from './n8n';
import { NODE_TYPE } from './workflows';

export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

export interface Example {
	file: string;
	workflow: Workflow;
}

/** examples/*.json as users import them (no ID, no credentials, batch picked from the list). */
export function loadExamples(): Example[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({ file, workflow: JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as Workflow }));
}

/** A copy whose Prolific nodes use the given credential, and the given batch where the example leaves it to the user; ready to import under `id`. */
export function pointAtBatch(
	workflow: Workflow,
	opts: { id: string; credential: { id: string; name: string }; batchId: string; batchName?: string; options?: Record<string, unknown> },
): Workflow {
	const copy = structuredClone(workflow);
	copy.id = opts.id;
	for (const node of copy.nodes) {
		if (node.type !== NODE_TYPE) continue;
		node.credentials = { prolificApi: opts.credential };
		if (node.parameters.options !== undefined || opts.options) {
			node.parameters.options = { ...(node.parameters.options as object), ...opts.options };
		}
		if (rlValue(node.parameters.batch) !== '') continue;
		node.parameters.batch = opts.batchName
			? { __rl: true, mode: 'list', value: opts.batchId, cachedResultName: opts.batchName }
			: { __rl: true, mode: 'id', value: opts.batchId };
	}
	return copy;
}

const param = (node: WorkflowNode, name: string): unknown => node.parameters[name];
const rlValue = (value: unknown): string => String((value as { value?: unknown } | undefined)?.value ?? value ?? '');

function httpRequest(node: WorkflowNode, parameters: Record<string, unknown>): WorkflowNode {
	return {
		id: node.id,
		name: node.name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: node.position,
		parameters: { ...parameters, options: {} },
	};
}

/**
 * The example with each outside service's node swapped for a local stand-in that n8n can run here,
 * keeping the node's name, its connections and the example's own expressions:
 * - Schedule Trigger -> Manual Trigger (`n8n execute` starts workflows at a manual trigger);
 * - Google Sheets append -> POST <catcher>/sheets/<document>/<sheet>, the item's JSON as body
 *   (the node auto-maps every field of the item to a column);
 * - Slack post -> POST <catcher>/slack/chat.postMessage with the node's channel and its text expression;
 * - AWS S3 upload -> PUT <catcher>/s3/<bucket>?key=<the node's file name expression>, the binary
 *   property the node names (its expression) as body.
 */
export function withStandIns(workflow: Workflow, catcher: string): Workflow {
	const copy = structuredClone(workflow);
		copy.nodes = copy.nodes.map((node) => {
		switch (node.type) {
			case 'n8n-nodes-base.scheduleTrigger':
				return { id: node.id, name: node.name, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: node.position, parameters: {} };
			case 'n8n-nodes-base.googleSheets':
				if (param(node, 'operation') !== 'append') throw new Error(`${node.name}: stand-in covers 'append' only`);
				return httpRequest(node, {
					method: 'POST',
					url: `${catcher}/sheets/${rlValue(param(node, 'documentId')) || 'document'}/${rlValue(param(node, 'sheetName')) || 'sheet'}`,
					sendBody: true,
					specifyBody: 'json',
					jsonBody: '={{ JSON.stringify($json) }}',
				});
			case 'n8n-nodes-base.slack':
				return httpRequest(node, {
					method: 'POST',
					url: `${catcher}/slack/chat.postMessage`,
					sendBody: true,
					specifyBody: 'keypair',
					bodyParameters: {
						parameters: [
							{ name: 'channel', value: rlValue(param(node, 'channelId')) },
							{ name: 'text', value: param(node, 'text') },
						],
					},
				});
			case 'n8n-nodes-base.awsS3':
				if (param(node, 'operation') !== 'upload') throw new Error(`${node.name}: stand-in covers 'upload' only`);
				return httpRequest(node, {
					method: 'PUT',
					url: `${catcher}/s3/${String(param(node, 'bucketName'))}`,
					sendQuery: true,
					specifyQuery: 'keypair',
					queryParameters: { parameters: [{ name: 'key', value: param(node, 'fileName') }] },
					sendBody: true,
					contentType: 'binaryData',
					inputDataFieldName: param(node, 'binaryPropertyName') ?? 'data',
				});
			default:
				return node;
		}
	});
	return copy;
}
