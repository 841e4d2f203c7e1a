import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Points this process's temporary directory at a fresh, private one, so a test can list every
 * file anything in the process created there, free of other processes' noise. Import it before
 * anything else: the harness creates its n8n user folder in the temporary directory on load.
 */
const privateTmp = mkdtempSync(join(tmpdir(), 'prolific-private-tmp-'));
for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = privateTmp;
process.once('exit', () => rmSync(privateTmp, { recursive: true, force: true }));

export function privateTmpDir(): string {
	return privateTmp;
}
