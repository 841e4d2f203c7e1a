import { sleep } from 'n8n-workflow';

import type { Arrival } from '../archive/source';
import { formatBytes } from '../bytes';
import type { TempArchive } from '../temp-archive';

/** The storage host served something other than the archive it first described. */
export class ArchiveChangedError extends Error {}

/** Fetches bytes `start` up to `end` of the archive by a Range request; undefined if the host would not. */
export type RangeFetch = (start: number, end: number) => Promise<Buffer | undefined>;

/**
 * A download slower than this is what the uploads wait for, so they are stored as it arrives; a
 * faster one is left to finish first. A margin under what n8n's filesystem store takes in for
 * uploads of a few hundred KB (200-240 MB/s, the reference row of `npm run bench`): reading uploads
 * during a local-speed download set off a full garbage collection every ~80 ms and doubled the
 * 4.4 GB export's time.
 */
const SLOW_BYTES_PER_SECOND = 150e6;
/** The download's rate is taken over at least this long from when the archive became readable. */
const RATE_WINDOW_MS = 500;

interface Waiter {
	end: number;
	resolve: () => void;
	reject: (error: unknown) => void;
}

/**
 * An archive that may be read while it downloads into its temporary file: each read waits for
 * its bytes, and the central directory, at the end, is fetched ahead by Range requests (the reader
 * compares what it read ahead with what has arrived when it is done). Created only once the storage host
 * has answered a Range request for this archive with its full size: hosts that ignore ranges are
 * read after the download.
 */
export class ArchiveArrival implements Arrival {
	private readonly waiting: Waiter[] = [];
	private readonly fetched: { start: number; bytes: Buffer }[];
	private failed: unknown;
	private done = false;
	private readonly ended: Promise<void>;
	private settle!: { resolve: () => void; reject: (error: unknown) => void };
	/** When the archive became readable, and how much of it was there then: the rate's start. */
	private readonly started: { at: number; written: number };

	constructor(
		readonly size: number,
		private readonly file: TempArchive,
		private readonly fetch: RangeFetch,
		tail: { start: number; bytes: Buffer },
	) {
		this.fetched = [tail];
		this.ended = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
		this.ended.catch(() => undefined);
		file.onWrite = () => this.release();
		this.started = { at: Date.now(), written: file.written };
	}

	get arrived(): number {
		return this.done ? this.size : this.file.written;
	}

	async until(end: number): Promise<void> {
		if (this.failed !== undefined) throw this.failed;
		if (this.arrived >= end) return;
		await new Promise<void>((resolve, reject) => this.waiting.push({ end, resolve, reject }));
	}

	async fetchAhead(start: number, end: number): Promise<Buffer | undefined> {
		const held = this.fetched.find((chunk) => chunk.start <= start && chunk.start + chunk.bytes.length >= end);
		if (held) return held.bytes.subarray(start - held.start, end - held.start);
		const bytes = await this.fetch(start, end);
		if (bytes) this.fetched.push({ start, bytes });
		return bytes;
	}

	async whole(): Promise<void> {
		await this.ended;
	}

	/**
	 * Once uploads are worth reading: when the download is complete, or as soon as it shows itself
	 * slower than n8n stores uploads (see SLOW_BYTES_PER_SECOND).
	 */
	async uploadsReadable(): Promise<void> {
		const left = this.started.at + RATE_WINDOW_MS - Date.now();
		if (left > 0) await Promise.race([this.ended, sleep(left)]);
		const seconds = (Date.now() - this.started.at) / 1000;
		if ((this.file.written - this.started.written) / seconds >= SLOW_BYTES_PER_SECOND) await this.ended;
	}

	/** Why the download failed, once it has. */
	get failure(): unknown {
		return this.failed;
	}

	/** The download ended with `size` bytes written. */
	complete(size: number): void {
		if (size !== this.size) {
			throw new ArchiveChangedError(`the storage host announced ${formatBytes(this.size)} but sent ${formatBytes(size)}`);
		}
		this.done = true;
		this.release();
		this.settle.resolve();
	}

	/** The download failed for good: every read waiting for its bytes fails with it. */
	fail(error: unknown): void {
		this.failed ??= error;
		for (const waiter of this.waiting.splice(0)) waiter.reject(this.failed);
		this.settle.reject(this.failed);
	}

	private release(): void {
		const arrived = this.arrived;
		for (let i = this.waiting.length - 1; i >= 0; i--) {
			if (this.waiting[i].end <= arrived) this.waiting.splice(i, 1)[0].resolve();
		}
	}
}
