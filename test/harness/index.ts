// env first: n8n reads its configuration from the environment when its services are first built.
import './env';

export { harnessDir } from './env';
export { runNode } from './run-node';
export { testCredential } from './test-credential';
export { loadOptions } from './load-options';
export { runPoll, type PollResult, type RunPollOptions } from './run-poll';
export type {
	CredentialTestResult,
	HarnessBinary,
	HarnessCredentials,
	HarnessError,
	HarnessItem,
	LoadOptionsOptions,
	RunNodeOptions,
	RunResult,
} from './types';
