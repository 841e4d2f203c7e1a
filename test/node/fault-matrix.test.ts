import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import type { RecordedRequest } from '../emulator';
import { BATCH_ID } from '../fixtures/sample-expected';
import { apiScenarios } from '../support/faults/api-scenarios';
import { isDownload, isPost, isStatus, type Outcome, type Scenario, type Text } from '../support/faults/common';
import { downloadScenarios } from '../support/faults/download-scenarios';
import { credentialsAtDownload, secretInRequests, secretInRun } from '../support/secrets';
import { EXPORT_PATH } from '../support/requests';
import { runExport, startEmulator } from '../support/setup';

const EXPORT = EXPORT_PATH(BATCH_ID);
import { outputOf, type Output } from '../support/output';

/**
 * Every fault the emulator can inject, alone and combined, at each step of an export. Each
 * scenario either recovers with output identical to a clean run (every item's JSON, every
 * binary's name and bytes) or fails with the error written out below from the transport and
 * lifecycle code. Scenarios run in their own emulator, several at once: most of their time is
 * spent in backoff sleeps. The scenarios are in support/faults/.
 */

const scenarios: Scenario[] = [...apiScenarios, ...downloadScenarios];

interface Row {
	scenario: string;
	step: string;
	outcome: string;
	requests: string;
	seconds: string;
}

const rows = new Map<Scenario, Row>();
let clean: Output;
let swept = 0;
const leaks: string[] = [];

async function play(scenario: Scenario): Promise<Outcome> {
	const emulator = await startEmulator(scenario.emulator);
	try {
		await scenario.arrange?.(emulator);
		emulator.requests.length = 0;
		for (const fault of scenario.faults ?? []) emulator.inject(fault);

		const controller = new AbortController();
		let cancelledAt = Infinity;
		let pending: NodeJS.Timeout | undefined;
		const watcher = setInterval(() => {
			const { cancel } = scenario;
			if (!cancel || pending || !emulator.requests.some(cancel.when)) return;
			pending = setTimeout(() => {
				cancelledAt = Date.now();
				controller.abort();
			}, cancel.afterMs);
		}, 5);
		const run = await runExport(emulator, {
			batchId: BATCH_ID,
			options: { timeout: 5, ...scenario.options },
			run: { signal: controller.signal },
		}).finally(() => clearInterval(watcher));
		clearTimeout(pending);
		// A cancelled node may still be unwinding: give it time to make any request it would.
		if (scenario.cancel) await sleep(scenario.cancel.settleMs);

		const requests = [...emulator.requests];
		const after = requests.filter((request) => request.at > cancelledAt);
		assert.deepEqual(after, [], 'no request after the execution was cancelled');
		return {
			apiUrl: emulator.apiUrl,
			token: emulator.token,
			run,
			requests,
			exportIds: emulator.jobs(BATCH_ID).map((job) => job.export_id),
			count: {
				post: requests.filter(isPost).length,
				status: requests.filter(isStatus).length,
				download: requests.filter(isDownload).length,
			},
		};
	} finally {
		await emulator.close();
	}
}

function describeRequests(requests: RecordedRequest[]): string {
	const counts = new Map<string, number>();
	for (const request of requests) {
		const kind = isDownload(request)
			? 'download'
			: isPost(request)
				? 'POST'
				: isStatus(request)
					? 'status'
					: request.method === 'DELETE'
						? 'delete job'
						: request.method === 'GET' && request.path === EXPORT
							? 'list jobs'
							: `${request.method} ${request.path}`;
		counts.set(kind, (counts.get(kind) ?? 0) + 1);
	}
	const order = ['POST', 'status', 'download', 'list jobs', 'delete job'];
	const rank = (kind: string) => (order.includes(kind) ? order.indexOf(kind) : order.length);
	return [...counts]
		.sort(([a], [b]) => rank(a) - rank(b))
		.map(([kind, n]) => `${kind} ${n}`)
		.join(', ');
}

const text = (value: Text, outcome: Outcome) => (typeof value === 'function' ? value(outcome) : value);
const matches = (actual: string | undefined, expected: string | RegExp) =>
	expected instanceof RegExp ? assert.match(actual ?? '', expected) : assert.equal(actual, expected);

before(async () => {
	const emulator = await startEmulator();
	try {
		const run = await runExport(emulator, { batchId: BATCH_ID });
		assert.equal(run.status, 'success', run.error?.message);
		clean = outputOf(run);
		assert.equal(clean.length, 5);
		assert.ok(clean.some((item) => Object.keys(item.binary).length > 0), 'the clean run attaches files');
	} finally {
		await emulator.close();
	}
});

after(() => {
	const table = scenarios.flatMap((scenario) => rows.get(scenario) ?? []);
	const header: Row = { scenario: 'scenario', step: 'step', outcome: 'outcome', requests: 'requests made', seconds: 's' };
	const widths = (Object.keys(header) as (keyof Row)[]).map((key) => Math.max(...[header, ...table].map((row) => row[key].length)));
	const line = (row: Row) =>
		`| ${(Object.keys(header) as (keyof Row)[]).map((key, i) => row[key].padEnd(widths[i])).join(' | ')} |`;
	const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
	console.log(['', `Fault matrix: ${table.length} scenarios`, line(header), rule, ...table.map(line), ''].join('\n'));
});

describe('fault matrix', { concurrency: 6 }, () => {
	assert.ok(scenarios.length >= 25);
	for (const scenario of scenarios) {
		it(`${scenario.step}: ${scenario.name}`, async () => {
			const started = performance.now();
			const outcome = await play(scenario);
			const { run, token } = outcome;
			const row: Row = {
				scenario: scenario.name,
				step: scenario.step,
				outcome: run.status === 'error' ? `error: ${run.error?.message}` : run.status,
				requests: describeRequests(outcome.requests),
				seconds: ((performance.now() - started) / 1000).toFixed(1),
			};
			rows.set(scenario, row);

			if (scenario.expect === 'clean') {
				assert.equal(run.status, 'success', run.error?.message);
				assert.deepStrictEqual(outputOf(run), clean, 'identical to the clean run');
				row.outcome = 'recovered, output identical';
			} else if (scenario.expect === 'canceled') {
				assert.equal(run.status, 'canceled', run.error?.message);
				assert.deepEqual(run.items, []);
			} else {
				assert.equal(run.status, 'error');
				matches(run.error?.message, text(scenario.expect.message, outcome));
				matches(run.error?.description, text(scenario.expect.description, outcome));
				assert.deepEqual(run.items, []);
			}
			scenario.check?.(outcome);

			swept++;
			leaks.push(
				...secretInRun(run, token),
				...secretInRequests(outcome.requests, token),
				...credentialsAtDownload(outcome.requests, token),
			);
		});
	}
});

describe('fault matrix: secrets', () => {
	it('no scenario put the token in an error, an item or a request other than the API’s Authorization header', () => {
		assert.equal(swept, scenarios.length, 'every scenario was swept');
		assert.deepEqual(leaks, []);
	});
});
