import { collectionSubmissions } from '../archive/collection';
import { ArchiveError } from '../archive/errors';
import type { ExportArchive } from '../archive/reader';
import type { BatchInfo, SubmissionRecord, TaskRecord } from '../archive/records';
import { RESOURCES, type ExportTarget } from '../export/target';

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

	get kind() {
		return RESOURCES[this.target.resource];
	}

	/** `{batch_id: …}` or `{collection_id: …}` */
	get idField(): Record<string, string> {
		return { [this.kind.idKey]: this.target.id };
	}

	async info(): Promise<BatchInfo> {
		return await this.archive.readBatch(this.kind.infoFile);
	}

	async submissions(): Promise<Submission[]> {
		this.submissionsRead ??= this.readSubmissions();
		return await this.submissionsRead;
	}

	async tasks(): Promise<TaskRecord[]> {
		const name = this.kind.tasksFile;
		if (!name) {
			throw new ArchiveError(
				`A ${this.kind.label} has no tasks`,
				'Choose the Submissions, Rows, Files, Summary or Archive output for a collection.',
			);
		}
		return await this.records<TaskRecord>(name);
	}

	private async readSubmissions(): Promise<Submission[]> {
		const lines = await this.records<SubmissionRecord>(this.kind.submissionsFile);
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
