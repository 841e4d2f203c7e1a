import { ensureEngine } from './engine';

import { LoadOptionsContext } from 'n8n-core';
import type { ILoadOptionsFunctions, INode, INodeProperties, INodeType } from 'n8n-workflow';
import { UnexpectedError, Workflow } from 'n8n-workflow';

import { buildAdditionalData } from './additional-data';
import { HarnessCredentialsHelper } from './credentials-helper';
import {
	DEFAULT_TYPE_NAME,
	defaultCredentialTypes,
	latestVersion,
	nodeCredentials,
} from './defaults';
import { HarnessNodeTypes } from './node-types';
import type { LoadOptionsOptions } from './types';

type Method = (
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
) => Promise<unknown>;

/** The editor sends the path of the parameter asking for options; find the one using `name`. */
function parameterPath(nodeType: INodeType, method: LoadOptionsOptions['method'], name: string) {
	const usesMethod = (property: INodeProperties) =>
		method === 'loadOptions'
			? property.typeOptions?.loadOptionsMethod === name
			: (property.modes ?? []).some((mode) => mode.typeOptions?.searchListMethod === name);
	const property = nodeType.description.properties.find(usesMethod);
	return `parameters.${property?.name ?? name}`;
}

/** Runs `methods.listSearch[name]` / `methods.loadOptions[name]` as the CLI's DynamicNodeParametersService. */
export async function loadOptions(opts: LoadOptionsOptions): Promise<unknown> {
	await ensureEngine();
	const fn: Method | undefined = opts.nodeType.methods?.[opts.method]?.[opts.name];
	if (typeof fn !== 'function') {
		throw new UnexpectedError(`Node type does not have method ${opts.method}.${opts.name}`);
	}
	const typeName = opts.typeName ?? DEFAULT_TYPE_NAME;
	const parameters = structuredClone(opts.parameters ?? {});
	const node: INode = {
		parameters,
		id: 'uuid-1234',
		name: 'Temp-Node',
		type: typeName,
		typeVersion: latestVersion(opts.nodeType),
		position: [0, 0],
		credentials: nodeCredentials(opts.nodeType, opts.credentials),
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new HarnessNodeTypes({ [typeName]: opts.nodeType }),
	});
	const helper = await HarnessCredentialsHelper.create(
		opts.credentialTypes ?? defaultCredentialTypes(),
		opts.credentials,
	);
	const additionalData = buildAdditionalData(helper);
	additionalData.currentNodeParameters = parameters;
	const context = new LoadOptionsContext(
		workflow,
		workflow.nodes[node.name],
		additionalData,
		parameterPath(opts.nodeType, opts.method, opts.name),
	);
	return opts.method === 'listSearch'
		? await fn.call(context, opts.filter, opts.paginationToken)
		: await fn.call(context);
}
