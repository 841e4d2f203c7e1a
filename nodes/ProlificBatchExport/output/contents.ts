import { collectionSubmissions } from '../archive/collection';
import { ArchiveError } from '../archive/errors';
import { ARCHIVE_LAYOUT } from '../archive/layout';
import type { ExportArchive } from '../archive/reader';
import type { BatchInfo, SubmissionRecord, TaskRecord } from '../archive/records';
import { RESOURCES } from '../resources';
import type { ExportTarget } from '../types';

/** A submission as the outputs shape it, and as the Submissions output shows it. */
export interface Submission {
	record: SubmissionRecord;
	json: Record<string, unknown>;
}

/**
 * The records of one export, read from its archive when first needed: a batch's or a
 * collection's, whose files are named differently and whose submissions are shaped differently.
 */
export class ExportContents {
	private submissionsRead?: Promise<Submission[]>;

	constructor(
		readonly archive: ExportArchive,
		readonly target: ExportTarget,
	) {}

	/** How the items name this kind of export (batch_id, batch_name …). */
	get ids() {
		return RESOURCES[this.target.resource];
	}

	/** Which files of the archive hold its records. */
	get layout() {
		return ARCHIVE_LAYOUT[this.target.resource];
	}

	/** `{batch_id: …}` or `{collection_id: …}` */
	get idField(): Record<string, string> {
		return { [this.ids.idKey]: this.target.id };
	}

	async info(): Promise<BatchInfo> {
		return await this.archive.readBatch(this.layout.infoFile);
	}

	async submissions(): Promise<Submission[]> {
		this.submissionsRead ??= this.readSubmissions();
		return await this.submissionsRead;
	}

	async tasks(): Promise<TaskRecord[]> {
		const name = this.layout.tasksFile;
		if (!name) {
			throw new ArchiveError(
				`A ${this.ids.label} has no tasks`,
				'Choose the Submissions, Rows, Files, Summary or Archive output for a collection.',
			);
		}
		return await this.records<TaskRecord>(name);
	}

	private async readSubmissions(): Promise<Submission[]> {
		const lines = await this.records<SubmissionRecord>(this.layout.submissionsFile);
		if (this.target.resource === 'collection') return collectionSubmissions(lines, this.target.id);
		return lines.map((record) => ({ record, json: record }));
	}

	private async records<T>(name: string): Promise<T[]> {
		const records = await this.archive.readJsonl<T>(name);
		if (records === undefined) {
			throw new ArchiveError(
				`The export archive has no ${name}`,
				'The archive is incomplete. Run the node again for a fresh export, or choose the Archive output to inspect it.',
			);
		}
		return records;
	}
}
