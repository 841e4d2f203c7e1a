import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { SubmissionRecord } from '../archive/records';
import type { DownloadedExport, DownloadedReport, ExportTarget } from '../types';
import type { ExportContents } from './contents';
import type { ResponseKeys } from './response-keys';

/** An uploaded file an item should carry, as the records (or the archive) name it. */
export interface FileRef {
	path: string;
	name: string;
	submission_id: string | null;
	task_id: string | null;
	instruction_id: string | null;
	/** True for a file in the archive that no response points at. */
	unreferenced?: boolean;
}

/** How an attached (or missing) file is described in an item's JSON. */
export interface FileDescription extends IDataObject {
	binary_property: string | null;
	task_id: string | null;
	instruction_id: string | null;
	name: string;
	path: string;
	size: number | null;
	status: 'attached' | 'missing' | 'unreferenced' | 'foreign';
}

/** What became of a file reference: as described, or 'outside' for a path that names no upload (described as missing). */
export type RefStatus = FileDescription['status'] | 'outside';

/** An output item before its files are attached. */
export interface ShapedItem {
	json: IDataObject;
	files: FileRef[];
	/**
	 * Keys ('<submission>' and '<submission>/<instruction>') that let stray files find a home;
	 * worked out only when an archive has such files.
	 */
	claims: () => Set<string>;
}

export type OutputMode = 'submissions' | 'tasks' | 'rows' | 'files' | 'summary' | 'archive' | 'report';

/** What output shaping needs from n8n: the node's execute context and its trigger's poll context both fit. */
export interface OutputContext {
	getTimezone(): string;
	helpers: Pick<IExecuteFunctions['helpers'], 'prepareBinaryData'>;
	addExecutionHints?: IExecuteFunctions['addExecutionHints'];
}

export interface OutputSettings {
	mode: OutputMode;
	includeFiles: boolean;
	binaryPrefix: string;
	/** Tasks and Rows: add how the responses to choice instructions agree. */
	agreement?: boolean;
	/** Submissions and Tasks: responses keyed by instruction ID (as Prolific writes them) or by description. */
	responseKeys: ResponseKeys;
	/** Files: the binary property of each file, and its name's template; Report: of the CSV. */
	binaryProperty: string;
	fileNameTemplate: string;
	/** Report: the first item also carries the CSV itself. */
	attachReport: boolean;
}

/** What an output is built from: one opened export, for one input item. */
export interface OutputRequest {
	ctx: OutputContext;
	contents: ExportContents;
	download: DownloadedExport;
	settings: OutputSettings;
	itemIndex: number;
	/** Which submissions to output (Submissions and Rows); all by default. */
	select?: (submissions: SubmissionRecord[]) => SubmissionRecord[];
}

/** What the Report output is built from: the batch report's CSV, for one input item. */
export interface ReportRequest {
	ctx: OutputContext;
	target: ExportTarget;
	report: DownloadedReport;
	settings: OutputSettings;
	itemIndex: number;
}
