import type {
	ICredentialType,
	IDataObject,
	INodeExecutionData,
	INodeParameters,
	INodeType,
} from 'n8n-workflow';

/** Decrypted credential data by credential type name, e.g. `{ prolificApi: { apiToken, baseUrl } }`. */
export interface HarnessCredentials {
	[credentialTypeName: string]: Record<string, unknown>;
}

export interface RunNodeOptions {
	/** Instance of the node class under test. */
	nodeType: INodeType;
	/** Default `n8n-nodes-prolific.prolificBatchExport`. */
	typeName?: string;
	/** May hold expressions (`={{ $json.x }}`) and resource locator values. */
	parameters: INodeParameters;
	/** Each type the node description lists and this object holds is wired onto the node. */
	credentials?: HarnessCredentials;
	/** Default `[new ProlificApi()]`. */
	credentialTypes?: ICredentialType[];
	/** Items an upstream node feeds in; default: the manual trigger's one empty item. */
	inputItems?: INodeExecutionData[];
	/** Sets `node.onError = 'continueRegularOutput'`. */
	continueOnFail?: boolean;
	/** Cancels the execution after this long, as the UI's stop button does. */
	cancelAfterMs?: number;
	/** Cancels the execution when this aborts. */
	signal?: AbortSignal;
	/** Workflow settings timezone, default `UTC`. */
	timezone?: string;
	/** The workflow's static data as n8n stored it after an earlier execution (JSON); none by default. */
	staticData?: string;
}

export interface HarnessBinary {
	fileName?: string;
	mimeType: string;
	fileExtension?: string;
	fileSize?: string;
	bytes: Buffer;
	id?: string;
}

export interface HarnessItem {
	json: IDataObject;
	binary: Record<string, HarnessBinary>;
	pairedItem: unknown;
	error?: unknown;
}

export interface HarnessError {
	message: string;
	description?: string;
	httpCode?: string | null;
	name: string;
	raw: unknown;
}

export interface RunResult {
	/** Output 0 of the node under test; binaries read back from n8n's binary store. */
	items: HarnessItem[];
	/** The node's execution error, if the run failed. */
	error?: HarnessError;
	/** The execution status n8n records: 'success' | 'error' | 'canceled' | ... */
	status: string;
	/** Execution hints recorded on the node's task data. */
	hints: unknown[];
	durationMs: number;
	/** The workflow's static data after the run, as JSON: what n8n saves after a production execution. */
	staticData: string;
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

export interface LoadOptionsOptions {
	nodeType: INodeType;
	method: 'listSearch' | 'loadOptions';
	/** Method name under `methods.listSearch` / `methods.loadOptions`. */
	name: string;
	filter?: string;
	paginationToken?: string;
	/** The node's current parameters, as the editor sends them. */
	parameters?: INodeParameters;
	credentials?: HarnessCredentials;
	credentialTypes?: ICredentialType[];
	typeName?: string;
}
