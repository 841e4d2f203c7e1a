import type { IDataObject } from 'n8n-workflow';

import type { ArchiveSource } from './archive/source';

/**
 * What is exported: an AI Task Builder batch, or a collection (participants submit their own
 * content). Both export through the same request, poll and download flow.
 */
export type Resource = 'batch' | 'collection';

export interface ExportTarget {
	resource: Resource;
	id: string;
}

/** One answer of the export endpoints (POST or status GET): decided on `status`, never on HTTP code. */
export interface ExportJob {
	status?: string;
	export_id?: string;
	url?: string;
	expires_at?: string;
	/** The filters the job applies, where a server says so. */
	filter?: IDataObject | null;
}

/** What an export ID may be: Prolific gives UUIDs; anything with `/` or `..` would change the URL path. */
export function isExportId(value: unknown): boolean {
	return typeof value === 'string' && /^[\w-]{1,100}$/.test(value);
}

/** One entry of behaviour B's job list. */
export interface ExportJobSummary {
	export_id: string;
	filter: IDataObject | null;
	status: string;
	created_at: string;
}

/** An export's archive as downloaded (into the run's temporary file), with what the lifecycle learnt on the way. */
export interface DownloadedExport {
	/** the archive's size in bytes */
	size: number;
	exportId?: string;
	expiresAt?: string;
	statusChecks: number;
	/** The job's filters as the last answer that named them said; undefined when none did. */
	filter?: IDataObject | null;
}

/** A batch report as downloaded: its CSV bytes, and until when the link was valid. */
export interface DownloadedReport {
	/** the CSV, read from its temporary file */
	csv: ArchiveSource;
	expiresAt?: string;
}
