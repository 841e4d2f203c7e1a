import { parseArgs } from 'node:util';
import { ProlificEmulator } from './server';
import { sampleBatches, sampleWorkspaces } from '../fixtures/sample-batch';
import { sampleCollection } from '../fixtures/sample-collection';

const USAGE = `Usage: npm run emulator -- [--port N] [--download-port N] [--behaviour A|B] [--polls N]
  [--report html|json|ragged|empty|none]

Starts the Prolific API emulator and its download host on 127.0.0.1 with the sample batches and
collection, and prints their URLs and token as one JSON line. Ctrl-C stops it.
  --behaviour A   the export guide's server: 202 generating, then an idempotent 200 complete (default)
  --behaviour B   the newer reference's: a new export job per request, with filters
  --polls N       status checks before an export is complete (default 2)
  --report KIND   serve every batch report broken that way (none: no report, a 404)`;

const BROKEN_REPORTS = ['html', 'json', 'ragged', 'empty'] as const;

/** The options, or a one-line complaint and exit status 2. */
function options() {
	try {
		const { values } = parseArgs({
			options: {
				port: { type: 'string' },
				'download-port': { type: 'string' },
				behaviour: { type: 'string', default: 'A' },
				polls: { type: 'string' },
				report: { type: 'string' },
				help: { type: 'boolean', short: 'h', default: false },
			},
		});
		if (values.behaviour !== 'A' && values.behaviour !== 'B') throw new Error('--behaviour must be A or B');
		if (values.report !== undefined && values.report !== 'none' && !(BROKEN_REPORTS as readonly string[]).includes(values.report))
			throw new Error('--report must be html, json, ragged, empty or none');
		return values;
	} catch (error) {
		console.error(`${(error as Error).message}\nRun \`npm run emulator -- --help\` for the options.`);
		process.exit(2);
	}
}

const values = options();
if (values.help) {
	console.log(USAGE);
	process.exit(0);
}
const report = values.report as (typeof BROKEN_REPORTS)[number] | 'none' | undefined;
const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));

void (async () => {
	const emulator = await ProlificEmulator.start({
		behaviour: values.behaviour as 'A' | 'B',
		port: number(values.port),
		downloadPort: number(values['download-port']),
		pollsUntilComplete: number(values.polls),
	});
	sampleWorkspaces.forEach((w) => emulator.addWorkspace(w));
	sampleBatches.forEach((b) => emulator.addBatch(b));
	emulator.addCollection(sampleCollection);
	if (report === 'none') sampleBatches.forEach((b) => emulator.setReport(b.batch_id, null));
	else if (report) emulator.inject({ route: 'report.download', report, times: Infinity });
	const { apiUrl, downloadOrigin, token } = emulator;
	const batches = sampleBatches.map((b) => ({ id: b.batch_id, name: b.name }));
	const collections = [{ id: sampleCollection.collection_id, name: sampleCollection.name }];
	console.log(JSON.stringify({ apiUrl, downloadOrigin, token, batches, collections }));
	const stop = () => void emulator.close().then(() => process.exit(0));
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
})();
