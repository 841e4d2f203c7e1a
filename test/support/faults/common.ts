import assert from 'node:assert/strict';

import type { IDataObject } from 'n8n-workflow';

import type { EmulatorOptions, Fault, ProlificEmulator, RecordedRequest } from '../../emulator';
import type { RunResult } from '../../harness';
import { BATCH_ID } from '../../fixtures/sample-expected';
import { DAMAGED, RUN_AGAIN } from '../hints';
import { EXPORT_PATH, isDownload, isExportRequest, isStatusCheck } from '../requests';
import { runExport } from '../setup';

const EXPORT = EXPORT_PATH(BATCH_ID);

/** What the fault matrix's scenarios are made of, and the texts they expect. */

// Descriptions, as transport/index.ts, export/lifecycle.ts and archive/reader.ts write them.
export const says = (text: string) => `Prolific says: "${text}". `;
export const HINT = {
	token: 'Check the API Token in the Prolific API credential. If the token was deleted, create a new one in Prolific under Settings > API Tokens.',
	access:
		"The token's account needs researcher access to the workspace. Ask a workspace admin to add you, or use a token of an account that has access.",
	notFound: "Check the ID, and that the token's account can see it in Prolific.",
	rateLimit: 'Wait a few minutes before running again, or run this workflow less often.',
	outage: 'Prolific may be having an outage. Run the workflow again later.',
	refused: "Check the node's parameters and options.",
	jobLimit:
		"Delete finished jobs (List Export Jobs, then Delete Export Job), turn on the 'Free Export Slot at Job Limit' option, or wait until running exports finish.",
	/** At the limit with no finished job of this workflow's to free (housekeeping.ts). */
	noSlotOfOurs: (jobs: number, running: number) =>
		`It holds ${jobs} export jobs${running ? ` (${running} still generating)` : ''}, none of them a finished job this workflow created, so the node deleted none: on a shared workspace they may be a colleague's. To free a slot, run List Export Jobs, then Delete Export Job with the export_id of one nobody needs; or turn on the 'Free Slot From Any Job' option.`,
	unreachable:
		'Check the Base URL in the Prolific API credential and that this n8n instance can reach it. If it worked before, the connection was cut: run the workflow again.',
	failed:
		"Prolific's export job failed. Run the node again later, or raise the 'Retries for Failed Exports' option. If it keeps failing, report the batch ID to Prolific support.",
	stillGenerating: (exportId: string) =>
		`Prolific is still generating it (export ID ${exportId}). Raise the 'Timeout' option, or run the node again later: Prolific hands back the same export instead of starting over.`,
	clock: "Check that this machine's clock is right (links are time-limited), then run the node again.",
	storage: 'The storage host did not deliver the archive. Run the workflow again; the export itself is kept by Prolific.',
	unreadable: RUN_AGAIN,
	damaged: DAMAGED,
};
export const JOB_LIMIT = `Batch ${BATCH_ID} already has as many export jobs as Prolific allows`;
export const CAP_DETAIL = (jobs: number) =>
	`Export limit reached: This batch already has ${jobs} export jobs. Delete an existing export job before requesting a new one`;

export interface Outcome {
	apiUrl: string;
	token: string;
	run: RunResult;
	requests: RecordedRequest[];
	/** export IDs the emulator handed out, oldest first */
	exportIds: string[];
	count: Record<'post' | 'status' | 'download', number>;
}

/** A RegExp where the text holds a figure the scenario cannot know, e.g. where a connection broke. */
export type Text = string | RegExp | ((outcome: Outcome) => string);
export type Expected = 'clean' | 'canceled' | { message: Text; description: Text };

export interface Scenario {
	name: string;
	step: 'request' | 'poll' | 'download' | 'combined';
	emulator?: EmulatorOptions;
	faults?: Fault[];
	/** runs before the faults are injected; its requests are forgotten */
	arrange?: (emulator: ProlificEmulator) => Promise<void>;
	options?: IDataObject;
	/** stops the execution `afterMs` after the first request `when` matches, then waits `settleMs` */
	cancel?: { when: (request: RecordedRequest) => boolean; afterMs: number; settleMs: number };
	expect: Expected;
	check?: (outcome: Outcome) => void;
}

export const isPost = isExportRequest(EXPORT);
export const isStatus = isStatusCheck(EXPORT);
export { isDownload };

/** Behaviour B: `jobs` export jobs already on the batch, still generating, each with its own filter. */
export const existingJobs = (jobs: number) => async (emulator: ProlificEmulator) => {
	for (let n = 0; n < jobs; n++) {
		const response = await fetch(`${emulator.apiUrl}${EXPORT}?study_id=earlier-${n}`, {
			method: 'POST',
			headers: { authorization: `Token ${emulator.token}` },
		});
		assert.equal(response.status, 202);
	}
};

/** `runs` finished exports whose jobs are kept, as earlier runs of a scheduled workflow leave them. */
export const earlierExports = (runs: number) => async (emulator: ProlificEmulator) => {
	for (let n = 0; n < runs; n++) {
		const run = await runExport(emulator, { batchId: BATCH_ID, options: { deleteAfterDownload: false } });
		assert.equal(run.status, 'success', run.error?.message);
	}
};
