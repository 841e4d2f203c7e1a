import { Container } from '@n8n/di';
import { ExternalSecretsProxy, type ExecutionLifecycleHooks } from 'n8n-core';
import type { ICredentialsHelper, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { UnexpectedError } from 'n8n-workflow';

// What the CLI's getBase derives from its default host, port and endpoint settings.
const editorBase = 'http://localhost:5678/';

function unsupported(what: string): never {
	throw new UnexpectedError(`${what} is not available in the harness`);
}

/** The CLI's WorkflowExecuteAdditionalData.getBase, without database, runners or sub-workflows. */
export function buildAdditionalData(
	credentialsHelper: ICredentialsHelper,
	extra: { executionId?: string; hooks?: ExecutionLifecycleHooks } = {},
): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper,
		executeWorkflow: async () => unsupported('Executing a sub-workflow'),
		startRunnerTask: async () => unsupported('A task runner'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		externalSecretsProxy: Container.get(ExternalSecretsProxy),
		currentNodeExecutionIndex: 0,
		variables: {},
		userId: 'harness-user',
		restApiUrl: `${editorBase}rest`,
		instanceBaseUrl: editorBase,
		formBaseUrl: `${editorBase}form`,
		formWaitingBaseUrl: `${editorBase}form-waiting`,
		formTestBaseUrl: `${editorBase}form-test`,
		webhookBaseUrl: `${editorBase}webhook`,
		webhookWaitingBaseUrl: `${editorBase}webhook-waiting`,
		webhookTestBaseUrl: `${editorBase}webhook-test`,
		mcpBaseUrl: `${editorBase}mcp`,
		mcpTestBaseUrl: `${editorBase}mcp-test`,
		...extra,
	};
}
