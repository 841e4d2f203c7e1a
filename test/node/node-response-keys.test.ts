import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { COLLECTION_INSTRUCTIONS as C, sampleCollection } from '../fixtures/sample-collection';
import { BATCH_ID, SUBMISSION, SUBMISSION_FILES, TASK } from '../fixtures/sample-expected';
import { runPoll } from '../harness';
import { recordsArchive } from '../support/archives';
import { exportOf, succeeded, suite, useArchiveSuite } from '../support/archive-suite';
import { batchExportTrigger } from '../support/node';
import { runExport } from '../support/setup';

useArchiveSuite();

const BY_DESCRIPTION = { responseKeys: 'descriptions' };

/** The second participant's answers to the third task, written out from the fixture's table. */
const HEADPHONES = {
	'Briefly describe the item shown': 'Headphones',
	"Estimate the item's width": '~20 cm',
	'Which categories apply?': 'Electronics, Accessories',
	'Item count, if visible / Anzahl – nombre 📦': '1',
	'Is the photo usable?': 'No: Blurry, taken in low light',
	'Upload a photo of the item': 'photo.png',
	'Rank the three reference shots by similarity': 'c, b, a',
};

type Json = Record<string, Record<string, Record<string, unknown>>>;

describe('Response Keys: Instruction Descriptions', () => {
	it('Submissions: responses keyed by description, and flat answers per task, files still attached', async () => {
		const run = await runExport(suite.emulator, { batchId: BATCH_ID, options: BY_DESCRIPTION });
		succeeded(run);
		assert.deepEqual(run.items.map((item) => item.json.submission_id), SUBMISSION);
		const second = run.items[1].json as Json;
		assert.equal(second.participant_id, '5f8e7d6c5b4a392817060a12');
		assert.deepEqual(Object.keys(second.responses), TASK);
		assert.deepEqual(second.answers[TASK[2]], HEADPHONES);
		assert.deepEqual(second.responses[TASK[2]]['Is the photo usable?'], {
			type: 'multiple_choice_with_free_text',
			description: 'Is the photo usable?',
			values: [{ option: 'No', explanation: 'Blurry, taken in low light' }],
		});
		assert.equal(second.answers[TASK[1]]['Briefly describe the item shown'], 'Mug, white; says "Best Dad"\nslightly chipped');
		// The first participant attached a receipt to the first task only: other tasks have no such key.
		const first = run.items[0].json as Json;
		assert.equal(first.answers[TASK[0]]['Attach the receipt (optional)'], 'receipt.pdf');
		assert.equal('Attach the receipt (optional)' in first.answers[TASK[1]], false);
		assert.equal((run.items[1].json.files as unknown[]).length, SUBMISSION_FILES[1].length);
		assert.equal(Object.keys(run.items[1].binary).length, SUBMISSION_FILES[1].length);
	});

	it('Tasks: each response keyed by description beside its submission, with its answers', async () => {
		const run = await runExport(suite.emulator, { batchId: BATCH_ID, output: 'tasks', includeFiles: false, options: BY_DESCRIPTION });
		succeeded(run);
		assert.deepEqual(run.items.map((item) => item.json.task_id), TASK);
		const [, response] = (run.items[2].json as { responses: Array<Record<string, unknown>> }).responses;
		assert.equal(response.submission_id, SUBMISSION[1]);
		assert.equal(response.participant_id, '5f8e7d6c5b4a392817060a12');
		assert.deepEqual(response.answers, HEADPHONES);
		assert.deepEqual(response['Rank the three reference shots by similarity'], {
			type: 'rank_order',
			description: 'Rank the three reference shots by similarity',
			ranking: ['c', 'b', 'a'],
		});
		assert.equal(Object.keys(response).some((key) => key.startsWith('0195')), false, 'no instruction ID left as a key');
	});

	it('a collection, which has no tasks, gets its answers directly', async () => {
		suite.emulator.addCollection(sampleCollection);
		const run = await runExport(suite.emulator, {
			parameters: { resource: 'collection', collection: { __rl: true, mode: 'id', value: sampleCollection.collection_id } },
			includeFiles: false,
			options: BY_DESCRIPTION,
		});
		succeeded(run);
		const first = run.items[0].json as Record<string, Record<string, unknown>>;
		const caption = sampleCollection.submissions[0].responses[C.caption.id] as unknown as { value: string };
		assert.equal(first.answers['Describe a photo you took today'], caption.value);
		assert.deepEqual(first.responses['Describe a photo you took today'], caption);
		assert.equal(first.answers['Upload the photo'], 'photo-1.jpg');
	});

	describe('duplicate descriptions are made unique as Rows makes its columns', () => {
		const SUB = '67dc00000000000000000d01';
		const TASK_ID = '4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a03';
		// [instruction ID, description, answer]
		const described = [
			['i1', 'Describe', 'one'],
			['i2', 'Describe', 'two'],
			['i3', 'submission_id', 'three'],
			['i4', '', 'four'],
		];
		const instructions = described.map(([id, description]) => ({ id, type: 'free_text', description }));
		const given = Object.fromEntries(described.map(([id, description, value]) => [id, { type: 'free_text', description, value }]));
		const archive = recordsArchive({
			submissions: [{ submission_id: SUB, participant_id: 'p', created_at: 'c', responses: { [TASK_ID]: given } }],
			tasks: [{ task_id: TASK_ID, responses: [{ submission_id: SUB, participant_id: 'p', ...given }] }],
			batch: { instructions },
		});

		it('in Submissions', async () => {
			const run = await exportOf(archive, { options: BY_DESCRIPTION });
			succeeded(run);
			assert.deepEqual(Object.entries((run.items[0].json as Json).answers[TASK_ID]), [
				['Describe', 'one'],
				['Describe (2)', 'two'],
				['submission_id', 'three'],
				['i4', 'four'],
			]);
		});

		it('in Tasks, where a description may not take a response field', async () => {
			const run = await exportOf(archive, { output: 'tasks', options: BY_DESCRIPTION });
			succeeded(run);
			const [response] = (run.items[0].json as { responses: Array<Record<string, unknown>> }).responses;
			assert.deepEqual(Object.entries(response.answers as object), [
				['Describe', 'one'],
				['Describe (2)', 'two'],
				['submission_id (2)', 'three'],
				['i4', 'four'],
			]);
			assert.equal(response.submission_id, SUB);
		});
	});

	it('the trigger emits new submissions keyed by description', async () => {
		const result = await runPoll({
			nodeType: batchExportTrigger,
			parameters: {
				batch: { __rl: true, mode: 'id', value: BATCH_ID },
				output: 'submissions',
				includeFiles: false,
				options: { pollInterval: 0.02, timeout: 10, ...BY_DESCRIPTION },
			},
			credentials: { prolificApi: { apiToken: suite.emulator.token, baseUrl: suite.emulator.apiUrl } },
		});
		assert.equal(result.error, undefined, result.error?.message);
		assert.equal(result.items?.length, 5);
		assert.deepEqual((result.items?.[1].json as Json).answers[TASK[2]], HEADPHONES);
	});

	it('an expression that gives no such choice is refused, naming the choices', async () => {
		const run = await runExport(suite.emulator, { batchId: BATCH_ID, options: { responseKeys: '={{ "description" }}' } });
		assert.equal(run.status, 'error');
		assert.equal(run.error?.message, "'description' is not a choice of Response Keys");
		assert.equal(run.error?.description, 'Choose one of: ids, descriptions.');
	});
});
