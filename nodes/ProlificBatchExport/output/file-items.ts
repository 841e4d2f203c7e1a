import type { INodeExecutionData } from 'n8n-workflow';

import { baseName, normalisePath } from '../archive/paths';
import type { SubmissionRecord } from '../archive/records';
import { BinaryWriter, type StoredFile } from './binary-writer';
import { isForeign, refStatus, safeFileName } from './attachments';
import { knownInstructions } from './instructions';
import { submissionFileRefs, submissionPlacements } from './submissions';
import { noFileProblems, noteFileProblem, reportFileProblems } from './problems';
import type { FileRef, OutputRequest } from './types';

interface FileEntry extends FileRef {
	participant_id: string | null;
	created_at: string | null;
	/** Position of the file in its response's list. */
	index: number;
}

/**
 * One item per uploaded file, for storage nodes that upload one binary per item. Files no
 * response references are emitted too, marked, and so are files named as another submission's;
 * a response whose file is missing (or not under files/) yields no item and is reported in a
 * warning instead.
 */
export async function fileItems({ ctx, contents, settings, itemIndex }: OutputRequest): Promise<INodeExecutionData[]> {
	const { archive, ids, layout } = contents;
	const batch = await contents.info();
	const submissions = (await contents.submissions()).map(({ record }) => record);
	const instructions = knownInstructions(batch, submissionPlacements(submissions));
	const entries = referencedFiles(submissions);
	const seen = new Set(entries.map((entry) => normalisePath(entry.path)));
	const problems = noFileProblems();
	const present = entries.filter((entry) => {
		const status = refStatus(archive, entry);
		noteFileProblem(problems, status, entry);
		return status === 'attached' || status === 'foreign';
	});
	const strays = (await contents.fileNames()).filter((name) => !seen.has(name)).map((path) => strayEntry(path, submissions));
	problems.unreferenced = strays.map((entry) => entry.path);
	const names = new UniqueNames();
	const writer = new BinaryWriter(ctx, archive);
	const stored: Array<{ entry: FileEntry; fileName: string; file: StoredFile }> = [];
	for (const entry of [...present, ...strays]) {
		const fileName = names.claim(safeFileName(render(settings.fileNameTemplate, entry), entry.path));
		stored.push({ entry, fileName, file: await writer.add(entry.path, fileName) });
	}
	await writer.finish();
	const items = stored.map(({ entry, fileName, file }): INodeExecutionData => ({
		json: {
			...contents.idField,
			[ids.nameKey]: batch.name ?? null,
			submission_id: entry.submission_id,
			participant_id: entry.participant_id,
			// A collection's only "task" is the collection itself.
			task_id: layout.tasksFile ? entry.task_id : null,
			instruction_id: entry.instruction_id,
			instruction: (entry.instruction_id && instructions.get(entry.instruction_id)?.description) ?? null,
			original_name: entry.name,
			file_name: fileName,
			path: normalisePath(entry.path),
			size: file.size,
			mime_type: file.binary?.mimeType ?? null,
			created_at: entry.created_at,
			unreferenced: entry.unreferenced === true,
			foreign: isForeign(entry),
		},
		binary: file.binary ? { [settings.binaryProperty]: file.binary } : {},
		pairedItem: { item: itemIndex },
	}));
	reportFileProblems(ctx, contents.target, problems, true);
	return items;
}

/**
 * Every file the responses point at, once each: the first reference wins, unless it is foreign
 * and a later one comes from the submission the file's name gives.
 */
function referencedFiles(submissions: SubmissionRecord[]): FileEntry[] {
	const entries = new Map<string, FileEntry>();
	for (const record of submissions) {
		const positions = new Map<string, number>();
		for (const ref of submissionFileRefs(record)) {
			const key = `${ref.task_id}/${ref.instruction_id}`;
			const index = positions.get(key) ?? 0;
			positions.set(key, index + 1);
			const path = normalisePath(ref.path);
			const first = entries.get(path);
			if (first && !(isForeign(first) && !isForeign(ref))) continue;
			entries.set(path, {
				...ref,
				participant_id: record.participant_id ?? null,
				created_at: record.created_at ?? null,
				index,
			});
		}
	}
	return [...entries.values()];
}

/** A file nothing references: its documented name `{submission}_{instruction}_{index}.ext` says whose. */
function strayEntry(path: string, submissions: SubmissionRecord[]): FileEntry {
	const [submissionId, instructionId, rest] = baseName(path).split('_');
	const owner = submissions.find((record) => record.submission_id === submissionId);
	const index = Number.parseInt(rest ?? '', 10);
	return {
		path,
		name: baseName(path),
		submission_id: owner ? submissionId : null,
		participant_id: owner?.participant_id ?? null,
		created_at: owner?.created_at ?? null,
		task_id: null,
		instruction_id: owner && instructionId ? instructionId : null,
		index: Number.isNaN(index) ? 0 : index,
		unreferenced: true,
	};
}

const PLACEHOLDERS = ['submission_id', 'participant_id', 'task_id', 'instruction_id', 'index', 'original_name'] as const;

/** Fills `{placeholder}`s; unknown ones stay as typed, so a typo shows in the file name. */
export function render(template: string, entry: FileEntry): string {
	const values: Record<(typeof PLACEHOLDERS)[number], string> = {
		submission_id: entry.submission_id ?? 'unknown',
		participant_id: entry.participant_id ?? 'unknown',
		task_id: entry.task_id ?? 'unknown',
		instruction_id: entry.instruction_id ?? 'unknown',
		index: String(entry.index),
		original_name: entry.name,
	};
	return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
		(PLACEHOLDERS as readonly string[]).includes(key) ? values[key as keyof typeof values] : whole,
	);
}

/** Names unique within one export: a repeat gets " (2)", " (3)" before its extension. */
class UniqueNames {
	private readonly taken = new Set<string>();

	claim(name: string): string {
		const dot = name.lastIndexOf('.');
		const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
		let candidate = name;
		for (let n = 2; this.taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${ext}`;
		this.taken.add(candidate.toLowerCase());
		return candidate;
	}
}
