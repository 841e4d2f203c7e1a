import type { IBinaryData } from 'n8n-workflow';

import type { ExportArchive } from '../archive/reader';
import { assertStorable } from './store-limits';
import type { OutputContext } from './types';

/**
 * n8n stores a binary in several file operations (a temporary file, a rename, a metadata file),
 * each a round trip to libuv's thread pool. Keeping several files under way at once keeps that
 * pool busy and overlaps it with inflating the next file (8 beat 4 by 5% and 2 by 15% on the
 * 500 MB benchmark). Each file streams, so memory holds a few chunks per file, whatever its size.
 */
export const MAX_WRITES = 8;

/** A file handed to the writer; `size` is known at once, the binary once `finish()` has resolved. */
export interface StoredFile {
	size: number;
	binary?: IBinaryData;
}

/**
 * Streams archive entries into n8n's binary store as they inflate, up to MAX_WRITES of them at
 * once. An entry whose bytes fail their checks fails its stream, so n8n stores nothing for it
 * (it writes to a temporary file and renames it only once the stream has ended well), and the
 * failure ends the export: no item refers to a half-stored file.
 */
export class BinaryWriter {
	private readonly underWay = new Set<Promise<void>>();
	private failure: { error: unknown } | undefined;

	constructor(
		private readonly ctx: OutputContext,
		private readonly archive: ExportArchive,
	) {}

	/**
	 * Starts storing an entry; resolves once the write is under way. Throws an earlier write's
	 * failure, only once no write is still under way: a failed export leaves nothing being
	 * written behind it.
	 */
	async add(path: string, fileName: string): Promise<StoredFile> {
		while (this.underWay.size >= MAX_WRITES) await Promise.race(this.underWay);
		if (this.failure) await this.finish();
		// The declared size is the size: an entry that inflates to any other fails its stream.
		const size = this.archive.declaredSize(path) ?? 0;
		await assertStorable(this.ctx, size, `The upload '${path}'`, 'Export the records without their uploads (Include Files off)').catch(
			async (error: unknown) => {
				await Promise.all(this.underWay);
				throw error;
			},
		);
		const file: StoredFile = { size };
		const write: Promise<void> = this.ctx.helpers
			.prepareBinaryData(this.archive.stream(path), fileName)
			.then(
				(binary) => {
					file.binary = binary;
				},
				(error: unknown) => {
					this.failure ??= { error };
				},
			)
			.then(() => {
				this.underWay.delete(write);
			});
		this.underWay.add(write);
		return file;
	}

	/** Waits for every write under way; throws the first failure. */
	async finish(): Promise<void> {
		await Promise.all(this.underWay);
		if (this.failure) throw this.failure.error;
	}
}
