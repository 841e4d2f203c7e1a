import { collectionSubmissions } from '../archive/collection';
import { ArchiveError } from '../archive/errors';
import { ARCHIVE_LAYOUT } from '../archive/layout';
import { baseName, normalisePath } from '../archive/paths';
import type { ExportArchive } from '../archive/reader';
import type { BatchInfo, SubmissionRecord, TaskRecord } from '../archive/records';
import { RESOURCES } from '../resources';
import type { ExportTarget } from '../types';
import { submissionFileRefs } from './submissions';

/** A submission as the outputs shape it, and as the Submissions output shows it. */
export interface Submission {
	record: SubmissionRecord;
	json: Record<string, unknown>;
}

/** The From / To filter as epoch ms, both ends inclusive. */
export interface TimeWindow {
	from?: number;
	to?: number;
}

/**
 * The records of one export, read from its archive when first needed: a batch's or a
 * collection's, whose files are named differently and whose submissions are shaped differently.
 * Only those inside the From / To window count, whether or not the server applied the filter: a
 * record whose time cannot be read is kept, as nothing valid is dropped.
 */
export class ExportContents {
	private submissionsRead?: Promise<Submission[]>;
	private inWindowRead?: Promise<Submission[]>;
	private infoRead?: Promise<BatchInfo>;

	constructor(
		readonly archive: ExportArchive,
		readonly target: ExportTarget,
		private readonly window: TimeWindow = {},
	) {}

	inWindow(createdAt: unknown): boolean {
		const time = typeof createdAt === 'string' ? Date.parse(createdAt) : Number.NaN;
		if (Number.isNaN(time)) return true;
		return (this.window.from === undefined || time >= this.window.from) && (this.window.to === undefined || time <= this.window.to);
	}

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

	/** batch.json (collection.json), read once: several outputs and their options consult it. */
	async info(): Promise<BatchInfo> {
		this.infoRead ??= this.archive.readBatch(this.layout.infoFile);
		return await this.infoRead;
	}

	/** The submissions inside the window, filtered once. */
	async submissions(): Promise<Submission[]> {
		this.inWindowRead ??= this.allSubmissions().then((all) => all.filter(({ record }) => this.inWindow(record.created_at)));
		return await this.inWindowRead;
	}

	/**
	 * The archive's files but those of submissions outside the window (referenced by or named after
	 * one). Without a window, or without records to tell, every file: the Archive and Summary
	 * outputs must work on an archive whose records are missing.
	 */
	async fileNames(): Promise<string[]> {
		const windowed = this.window.from !== undefined || this.window.to !== undefined;
		if (!windowed || !this.archive.has(this.layout.submissionsFile)) return this.archive.fileNames;
		const all = await this.allSubmissions();
		const inside = new Set(await this.submissions());
		if (inside.size === all.length) return this.archive.fileNames;
		const outside = all.filter((submission) => !inside.has(submission)).map(({ record }) => record);
		const ids = new Set(outside.map((record) => String(record.submission_id)));
		const paths = new Set(outside.flatMap((record) => submissionFileRefs(record).map((file) => normalisePath(file.path))));
		return this.archive.fileNames.filter((name) => !paths.has(name) && !ids.has(baseName(name).split('_')[0]));
	}

	/** Every submission in the archive, the window's outside too: what its files belong to. */
	async allSubmissions(): Promise<Submission[]> {
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
		const tasks = await this.records<TaskRecord>(name);
		if (this.window.from === undefined && this.window.to === undefined) return tasks;
		// As a filtered export writes them: a task keeps the responses inside the window, if any.
		return tasks.flatMap((task) => {
			if (!Array.isArray(task.responses) || task.responses.length === 0) return [task];
			const responses = task.responses.filter((response) => this.inWindow(response.created_at));
			return responses.length ? [{ ...task, responses }] : [];
		});
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
