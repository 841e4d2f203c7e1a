import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';


import { buildRawZip, inflateBomb, mutateArchive } from '../emulator';
import { BATCH_ID, SUBMISSION, SUBMISSION_FILES, TASK, TOTAL_FILES } from '../fixtures/sample-expected';
import type { RunResult } from '../harness';
import { exportOf, GiB, MiB, storedFiles, succeeded, suite, useArchiveSuite } from '../support/archive-suite';
import { failure, serveArchive, withDeclaredSize } from '../support/archives';
import { runExport } from '../support/setup';
import { DAMAGED, REPEATED_HINT, RUN_AGAIN, SIZE_HINT, UNSAFE_HINT } from '../support/hints';

/** Damaged and hostile archives through the node: cut downloads, corrupt entries, unsafe names, bombs, limits. */

useArchiveSuite();

describe('damaged downloads', () => {
	for (const fraction of [0.2, 0.6, 0.95]) {
		it(`fails a run on an archive cut at ${fraction * 100}%: unreadable, run again`, async () => {
			const run = await exportOf(mutateArchive.truncate(suite.sample, fraction));
			assert.equal(run.status, 'error');
			assert.match(String(run.error?.message), /^The export archive could not be read as a ZIP file \(.+\)$/);
			assert.equal(run.error?.description, RUN_AGAIN);
			assert.deepEqual(run.items, []);
		});
	}

	it('under Continue On Fail gives one error item for the broken batch and the next batch its items', async () => {
		const broken = serveArchive(suite.emulator, mutateArchive.truncate(suite.sample, 0.5));
		const run = await runExport(suite.emulator, {
			parameters: { batch: { __rl: true, mode: 'id', value: '={{ $json.batch }}' } },
			inputItems: [{ json: { batch: broken } }, { json: { batch: BATCH_ID } }],
			includeFiles: false,
			run: { continueOnFail: true },
		});
		succeeded(run);
		assert.equal(run.items.length, 1 + SUBMISSION.length);
		const [error, ...good] = run.items;
		assert.deepEqual(Object.keys(error.json), ['error', 'description']);
		assert.match(String(error.json.error), /^The export archive could not be read as a ZIP file \(.+\)$/);
		assert.equal(error.json.description, RUN_AGAIN);
		assert.deepEqual(error.pairedItem, { item: 0 });
		assert.deepEqual(error.binary, {});
		assert.deepEqual(
			good.map((item) => [item.json.submission_id, item.pairedItem]),
			SUBMISSION.map((id) => [id, { item: 1 }]),
		);
	});

	it('fails naming the entry whose data is corrupt, and says to run again', async () => {
		const corrupt = mutateArchive.corrupt(suite.sample);
		const message =
			"The export archive is corrupt: 'responses-by-submission.jsonl' cannot be read (its compressed data is damaged: invalid block type)";
		for (const output of ['submissions', 'rows', 'archive'] as const) {
			const run = await exportOf(corrupt, { output });
			assert.equal(run.status, 'error', output);
			assert.equal(run.error?.message, message, output);
			assert.equal(run.error?.description, DAMAGED);
		}
		// Only responses-by-submission.jsonl is damaged: the Tasks output does not need it.
		const tasks = await exportOf(corrupt, { output: 'tasks' });
		succeeded(tasks);
		assert.deepEqual(
			tasks.items.map((item) => item.json.task_id),
			TASK,
		);
	});
});

describe('hostile archives', () => {
	for (const name of ['../evil.txt', '/abs.txt', 'files/../../x.png', 'C:/win.txt']) {
		it(`refuses the entry ${JSON.stringify(name)} and extracts nothing`, async () => {
			const archive = buildRawZip([...suite.sampleEntries, { name, data: Buffer.from('pwned') }]);
			const stored = storedFiles();
			for (const output of ['submissions', 'archive'] as const) {
				const run = await exportOf(archive, { output });
				assert.deepEqual(failure(run), {
					status: 'error',
					message: `The export archive contains an unsafe entry name '${name}' (absolute or with '..')`,
					description: UNSAFE_HINT,
				});
				assert.deepEqual(run.items, []);
			}
			assert.deepEqual(storedFiles(), stored, 'no file reached the binary data store');
		});
	}

	describe('two entries of one name', () => {
		const SUBMISSIONS = 'responses-by-submission.jsonl';
		const UPLOAD = SUBMISSION_FILES[0][0][3];
		const cases: Array<[string, string, string]> = [
			// A second copy of the records: the first copy's submissions used to vanish without a word.
			['a second responses-by-submission.jsonl', SUBMISSIONS, SUBMISSIONS],
			['a second copy of an upload', UPLOAD, UPLOAD],
			['the same upload named another way', `./${UPLOAD.replace('/', '\\')}`, UPLOAD],
		];
		for (const [what, name, named] of cases) {
			it(`refuses ${what} as corrupt, naming the entry, in every output`, async () => {
				const archive = buildRawZip([...suite.sampleEntries, { name, data: Buffer.from('{"submission_id":"s-late"}\n') }]);
				for (const output of ['submissions', 'files', 'archive'] as const) {
					assert.deepEqual(failure(await exportOf(archive, { output })), {
						status: 'error',
						message: `The export archive is corrupt: it holds more than one entry named '${named}'`,
						description: REPEATED_HINT,
					});
				}
			});
		}
	});

	describe('inflate bombs', () => {
		let bomb: Buffer;
		before(async () => {
			// 3 GiB of zeros behind a complete, valid export: about 3 MiB on the wire.
			bomb = await inflateBomb(3 * GiB, { entries: suite.sampleEntries });
		});

		/** Runs the node on `archive` under a 2 GiB Max Archive Size; asserts it was quick and stayed small. */
		async function boundedExport(archive: Buffer): Promise<RunResult> {
			const rss = process.memoryUsage().rss;
			const started = performance.now();
			const run = await exportOf(archive, { options: { maxArchiveSizeMb: 2048 } });
			const seconds = (performance.now() - started) / 1000;
			const grownMb = (process.memoryUsage().rss - rss) / MiB;
			assert.ok(seconds < 2, `took ${seconds.toFixed(2)} s`);
			assert.ok(grownMb < 200, `rss grew by ${grownMb.toFixed(0)} MB`);
			return run;
		}

		it('rejects a 3 GiB bomb at once, naming the limit and the Max Archive Size option', async () => {
			assert.ok(bomb.length < 4 * MiB);
			const run = await boundedExport(bomb);
			assert.deepEqual(failure(run), {
				status: 'error',
				message: 'The export archive inflates to more than 2.0 GiB',
				description: SIZE_HINT,
			});
		});

		it('stops a bomb that declares 1000 bytes as corrupt as soon as it passes them', async () => {
			const run = await boundedExport(withDeclaredSize(bomb, 'files/bomb_0.bin', 1000));
			assert.deepEqual(failure(run), {
				status: 'error',
				message: "The export archive is corrupt: 'files/bomb_0.bin' cannot be read (it inflates to more than the 1000 bytes it declares)",
				description: DAMAGED,
			});
		});
	});

	it('refuses an archive over a small Max Archive Size, naming the option', async () => {
		const run = await runExport(suite.emulator, { batchId: BATCH_ID, options: { maxArchiveSizeMb: 0.01 } });
		assert.equal(run.status, 'error');
		assert.match(String(run.error?.message), /^The export archive is .+ over the limit of 10 KiB$/);
		assert.equal(run.error?.description, SIZE_HINT);
	});

	it('refuses an archive that downloads within Max Archive Size but inflates past it', async () => {
		assert.ok(suite.sample.length < 20 * 1024);
		const run = await runExport(suite.emulator, { batchId: BATCH_ID, options: { maxArchiveSizeMb: 0.02 } });
		assert.deepEqual(failure(run), {
			status: 'error',
			message: 'The export archive inflates to more than 20 KiB',
			description: SIZE_HINT,
		});
	});

	it('refuses more uploads than Max Files, naming the option; exactly that many pass', async () => {
		const run = await runExport(suite.emulator, { batchId: BATCH_ID, options: { maxFiles: 3 } });
		assert.deepEqual(failure(run), {
			status: 'error',
			message: 'The export archive holds more than 3 files',
			description: "Raise the node's 'Max Files' option if this batch really has that many uploads.",
		});
		succeeded(await runExport(suite.emulator, { batchId: BATCH_ID, options: { maxFiles: TOTAL_FILES } }));
	});
});
