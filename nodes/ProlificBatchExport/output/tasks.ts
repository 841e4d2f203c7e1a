import type { IDataObject } from 'n8n-workflow';

import { taskResponseInstructions, uploadedFiles, type TaskRecord } from '../archive/records';
import type { FileRef, ShapedItem } from './types';

/** One item per line of responses-by-task.jsonl, the record unchanged. */
export function shapeTasks(records: TaskRecord[]): ShapedItem[] {
	return records.map((record) => {
		const files: FileRef[] = [];
		const claims = new Set<string>();
		const responses = Array.isArray(record.responses) ? record.responses : [];
		for (const response of responses) {
			if (typeof response !== 'object' || response === null) continue;
			const submissionId = String(response.submission_id);
			claims.add(submissionId);
			for (const [instructionId, instruction] of taskResponseInstructions(response)) {
				claims.add(`${submissionId}/${instructionId}`);
				for (const file of uploadedFiles(instruction)) {
					files.push({
						path: file.path,
						name: file.name,
						submission_id: submissionId,
						task_id: String(record.task_id),
						instruction_id: instructionId,
					});
				}
			}
		}
		return { json: record as IDataObject, files, claims };
	});
}
