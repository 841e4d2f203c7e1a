// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- the archive goes to a temporary file so an export of any size never sits in memory
import { open, readdir, rm, stat, statfs, type FileHandle } from 'node:fs/promises';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- the system's temporary directory, where the archive is kept while it is read
import { tmpdir } from 'node:os';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports -- the process id marks whose temporary file is whose, so a crashed run's file can be swept
import { kill, pid } from 'node:process';
import { randomUUID } from 'node:crypto';

import { formatBytes } from './bytes';
import { capitalised } from './resources';
import type { ArchiveArrival } from './transport/arrival';

/** Recognisable in the temporary directory: `n8n-prolific-export-<pid>-<uuid>.zip` (`.csv` for a batch report). */
const PREFIX = 'n8n-prolific-export-';
const NAME = /^n8n-prolific-export-(\d+)-[0-9a-f-]{36}\.(zip|csv)$/;
/** A file nobody has written to for this long is left over, whoever's it was. */
const STALE_MS = 24 * 60 * 60 * 1000;

/** There is not room for the archive where it would be downloaded. */
export class NoRoomError extends Error {}

/**
 * The downloaded archive's file, which this run alone owns: created exclusively (never an
 * existing file or link), readable by this user only, and removed when the run ends, however it
 * ends. A run that was killed leaves its file behind; the next run sweeps it.
 */
export class TempArchive {
	/** How far from the start the file holds the download: the end of the furthest write. */
	written = 0;
	/** Told after each write: a reader may be waiting for those bytes. */
	onWrite?: () => void;
	/** Set while the archive may be read before its download ends. */
	arrival?: ArchiveArrival;
	private readonly stopping = new AbortController();
	private download?: Promise<unknown>;

	private constructor(
		readonly path: string,
		readonly handle: FileHandle,
		private readonly what: string,
	) {}

	/** `what` names the download in messages: "the export", "the batch report". */
	static async create(what = 'the export', extension: 'zip' | 'csv' = 'zip'): Promise<TempArchive> {
		const dir = tmpdir();
		await sweepStale(dir);
		const path = `${dir}/${PREFIX}${pid}-${randomUUID()}.${extension}`;
		return new TempArchive(path, await open(path, 'wx+', 0o600), what);
	}

	/** Empties the file for a fresh download; fails when the disk cannot hold `size` bytes. */
	async reset(size?: number): Promise<void> {
		this.written = 0;
		await this.handle.truncate(0);
		if (size === undefined) return;
		const disk = await statfs(this.path);
		const free = disk.bavail * disk.bsize;
		if (free < size) {
			throw new NoRoomError(
				`There is not enough disk space to download ${this.what}: it needs ${formatBytes(size)} in ${tmpdir()}, which has ${formatBytes(free)} free`,
			);
		}
	}

	/** Writes chunks of the download at `position`; a full disk is named as such, not as a network failure. */
	async write(chunks: Buffer[], position: number): Promise<void> {
		const { bytesWritten } = await this.handle.writev(chunks, position).catch((error: NodeJS.ErrnoException) => {
			throw new NoRoomError(
				error.code === 'ENOSPC'
					? `The disk ran out of space after ${formatBytes(position)} of ${this.what} in ${tmpdir()}`
					: `${capitalised(this.what)} could not be written to ${tmpdir()} (${error.message})`,
			);
		});
		this.written = Math.max(this.written, position + bytesWritten);
		this.onWrite?.();
	}

	/** Aborted when the run is done with the file: a download still under way stops. */
	get signal(): AbortSignal {
		return this.stopping.signal;
	}

	/** The download writing into this file, which `remove` stops and waits for. */
	downloading(download: Promise<unknown>): void {
		this.download = download.catch(() => undefined);
	}

	async remove(): Promise<void> {
		this.stopping.abort();
		await this.download;
		await this.handle.close().catch(() => undefined);
		await rm(this.path, { force: true });
	}
}

/** Removes archives left by runs whose process is gone, or that nobody has touched for a day. */
async function sweepStale(dir: string): Promise<void> {
	const names = await readdir(dir).catch(() => [] as string[]);
	for (const name of names) {
		const owner = NAME.exec(name)?.[1];
		if (owner === undefined) continue;
		const path = `${dir}/${name}`;
		const info = await stat(path).catch(() => undefined);
		if (info?.isFile() && (!isRunning(Number(owner)) || Date.now() - info.mtimeMs > STALE_MS)) {
			await rm(path, { force: true }).catch(() => undefined);
		}
	}
}

function isRunning(processId: number): boolean {
	try {
		kill(processId, 0);
		return true;
	} catch (error) {
		// EPERM: it runs, as another user.
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
