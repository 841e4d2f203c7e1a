import { ArchiveError } from '../archive/errors';
import { formatBytes } from '../bytes';
import type { OutputContext } from './types';

/**
 * n8n's `database` binary data mode (queue mode's default) keeps each binary in one PostgreSQL
 * row, and its PostgreSQL client reads a row's bytes back as one hex string ('\x' + 2 characters
 * a byte), which Node refuses past 0x1fffffe8 characters: a bigger binary is stored, then the
 * next node that reads it fails outside the execution, which stays running. n8n's own write
 * limit (N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE, 512 MiB by default) is above this one.
 */
export const DATABASE_BINARY_LIMIT = Math.floor((0x1fffffe8 - 2) / 2);

const DATABASE_MODE = 'database';

const modes = new WeakMap<OutputContext, Promise<string>>();

/**
 * The mode n8n stores binaries in, as the id of what it stored says (`database:…`,
 * `filesystem-v2:…`, `s3:…`; no id in memory mode). A node cannot read n8n's config, so an empty
 * binary is stored to ask, once per execution and only when a binary could cross the limit.
 */
async function storeMode(ctx: OutputContext): Promise<string> {
	let mode = modes.get(ctx);
	if (!mode) {
		mode = ctx.helpers.prepareBinaryData(Buffer.alloc(0), 'binary-data-mode-check').then(({ id }) => id?.split(':')[0] ?? 'default');
		modes.set(ctx, mode);
	}
	return await mode;
}

/**
 * Refuses, before it is stored, a binary n8n could store but not hand on: in `database` mode,
 * one over 256 MiB. `what` names it ("The upload 'x.mp4'"); `instead` says what to use instead.
 */
export async function assertStorable(ctx: OutputContext, size: number, what: string, instead: string): Promise<void> {
	if (size <= DATABASE_BINARY_LIMIT || (await storeMode(ctx)) !== DATABASE_MODE) return;
	throw new ArchiveError(
		`${what} is ${formatBytes(size)}, over the ${formatBytes(DATABASE_BINARY_LIMIT)} one binary can hold in n8n's '${DATABASE_MODE}' binary data mode`,
		`In this mode (queue mode's default) n8n keeps each binary in one database row, and its PostgreSQL client cannot read ` +
			`one over ${formatBytes(DATABASE_BINARY_LIMIT)} back. ${instead}, or store binary data in S3 ` +
			`(N8N_DEFAULT_BINARY_DATA_MODE=s3), or run this workflow on an n8n in regular mode with N8N_DEFAULT_BINARY_DATA_MODE=filesystem.`,
	);
}
