import { parseArgs } from 'node:util';
import { ProlificEmulator } from './server';
import { sampleBatches, sampleWorkspaces } from '../fixtures/sample-batch';
import { sampleCollection } from '../fixtures/sample-collection';

// node --import tsx test/emulator/cli.ts [--port 8787] [--download-port 8788] [--behaviour A|B] [--polls 2]
//   [--report html|json|ragged|empty|none]: every batch report served broken that way (none: 404)
const { values } = parseArgs({
	options: {
		port: { type: 'string' },
		'download-port': { type: 'string' },
		behaviour: { type: 'string', default: 'A' },
		polls: { type: 'string' },
		report: { type: 'string' },
	},
});
if (values.behaviour !== 'A' && values.behaviour !== 'B') throw new Error('--behaviour must be A or B');
const BROKEN_REPORTS = ['html', 'json', 'ragged', 'empty'] as const;
const report = values.report as (typeof BROKEN_REPORTS)[number] | 'none' | undefined;
if (report !== undefined && report !== 'none' && !BROKEN_REPORTS.includes(report)) throw new Error('--report must be html, json, ragged, empty or none');
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
