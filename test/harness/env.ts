import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n's config classes read the environment when the DI container first builds them, so this
// module must be imported before n8n-core. A fixed key keeps encrypted credentials readable.
const userFolder = mkdtempSync(join(tmpdir(), 'n8n-harness-'));
process.once('exit', () => rmSync(userFolder, { recursive: true, force: true }));
process.env.N8N_USER_FOLDER = userFolder;
process.env.N8N_ENCRYPTION_KEY = 'n8n-nodes-prolific-harness-key';
process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'filesystem';
// The engine logs every node error it reports; RunResult carries them. Override to debug.
process.env.N8N_LOG_LEVEL ??= 'silent';

/** The temporary N8N_USER_FOLDER; binary data lives under `<it>/.n8n/storage`. */
export function harnessDir(): string {
	return userFolder;
}
