import { readFileSync } from 'node:fs';

/** Peak RSS of a process and all its descendants, summed, sampled from /proc while it runs. */
export interface TreeSamples {
	/** epoch ms and KB, one per sample */
	samples: Array<[number, number]>;
	/** the largest sum seen, over the whole run or between two times */
	peakKb(from?: number, to?: number): number;
}

function children(pid: number): number[] {
	try {
		return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
	} catch {
		return []; // gone
	}
}

function rssKb(pid: number): number {
	try {
		return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
	} catch {
		return 0;
	}
}

function treeRssKb(root: number): number {
	let total = 0;
	const pending = [root];
	for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
		total += rssKb(pid);
		pending.push(...children(pid));
	}
	return total;
}

/** Samples the tree under `root` every `intervalMs` until `stop()`. */
export function sampleTree(root: number, intervalMs = 50): { stop(): TreeSamples } {
	const samples: Array<[number, number]> = [];
	const take = () => samples.push([Date.now(), treeRssKb(root)]);
	take();
	const timer = setInterval(take, intervalMs);
	return {
		stop() {
			clearInterval(timer);
			return {
				samples,
				peakKb(from = -Infinity, to = Infinity) {
					return samples.filter(([at]) => at >= from && at <= to).reduce((peak, [, kb]) => Math.max(peak, kb), 0);
				},
			};
		},
	};
}
