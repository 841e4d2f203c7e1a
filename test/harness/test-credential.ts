import { ensureEngine } from './engine';

import { ExecuteContext, RoutingNode } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialType,
	IExecuteData,
	INode,
	INodeExecutionData,
	INodeType,
	ITaskDataConnections,
} from 'n8n-workflow';
import { NodeConnectionTypes, Workflow, createRunExecutionData } from 'n8n-workflow';

import { buildAdditionalData } from './additional-data';
import { HarnessCredentialsHelper, credentialDetails } from './credentials-helper';
import { defaultCredentialTypes } from './defaults';
import { HarnessNodeTypes } from './node-types';
import type { CredentialTestResult } from './types';

/** A node type that runs the test request declaratively, like the CLI's copy of the No-Op node. */
function testNodeType(credentialType: ICredentialType): INodeType {
	return {
		description: {
			displayName: 'No Operation, do nothing',
			name: 'n8n-nodes-base.noOp',
			group: ['organization'],
			version: 1,
			description: 'No Operation',
			defaults: { name: 'No Operation, do nothing' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: credentialType.name, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: credentialType.test?.request },
					default: '',
				},
			],
		},
	};
}

/** Error text the CLI's CredentialsTester derives from a failed request. */
function failureMessage(error: unknown, credentialType: ICredentialType): string {
	const e = error as {
		message?: unknown;
		cause?: { code?: string; response?: { status: number; statusText?: string } };
	};
	const response = e.cause?.response;
	if (response) {
		const rule = credentialType.test?.rules?.find(
			(r) => r.type === 'responseCode' && r.properties.value === response.status,
		);
		if (rule) return rule.properties.message;
		if (response.status < 199 || response.status > 299) {
			return response.statusText || `Received HTTP status code: ${response.status}`;
		}
	} else if (e.cause?.code) {
		return e.cause.code;
	}
	return String(e.message);
}

/**
 * Performs a credential's `test.request` as n8n's CredentialsTester does: the data gets its
 * defaults and resolved expressions, then RoutingNode resolves the request templates, the
 * credentials helper authenticates it and n8n-core's HTTP client sends it.
 */
export async function testCredential(
	data: Record<string, unknown>,
	credentialType: ICredentialType = defaultCredentialTypes()[0],
): Promise<CredentialTestResult> {
	await ensureEngine();
	if (!credentialType.test) {
		return { status: 'Error', message: 'No testing function found for this credential.' };
	}
	const helper = await HarnessCredentialsHelper.create([credentialType]);
	const additionalData = buildAdditionalData(helper);
	const details = credentialDetails(credentialType.name);
	const credentialsDecrypted: ICredentialsDecrypted = {
		id: details.id ?? '',
		name: details.name,
		type: credentialType.name,
		data: {},
	};
	try {
		credentialsDecrypted.data = await helper.applyDefaultsAndOverwrites(
			additionalData,
			data as ICredentialDataDecryptedObject,
			credentialType.name,
			'internal',
		);
	} catch (error) {
		return { status: 'Error', message: String((error as Error).message) };
	}

	const nodeType = testNodeType(credentialType);
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: nodeType.description.name,
		typeVersion: 1,
		position: [0, 0],
		credentials: { [credentialType.name]: details },
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new HarnessNodeTypes({ [node.type]: nodeType }),
	});
	const inputData: ITaskDataConnections = { main: [[{ json: {} }]] };
	const executeData: IExecuteData = { node, data: {}, source: null };
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		createRunExecutionData(),
		0,
		[],
		inputData,
		executeData,
		[],
	);

	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await new RoutingNode(context, nodeType, credentialsDecrypted).runNode();
	} catch (error) {
		return { status: 'Error', message: failureMessage(error, credentialType) };
	}
	for (const rule of credentialType.test.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const body = response?.[0]?.[0]?.json ?? {};
		if (getPath(body, rule.properties.key) === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/** lodash.get for the dotted keys a responseSuccessBody rule names. */
function getPath(object: unknown, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], object);
}
