/**
 * The README and docs/ against the code, so they cannot drift apart unnoticed: every relative
 * link and anchor resolves, every output, operation and option the editor shows is documented,
 * and the Options table gives each option's default as the node's description sets it.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { it } from 'node:test';

import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import * as common from '../../nodes/ProlificBatchExport/actions/common.descriptions';
import { OUTPUT_MODES } from '../../nodes/ProlificBatchExport/output/modes';
import { batchExportNode, batchExportTrigger } from '../support/node';

const REPO = resolve(__dirname, '..', '..');
const README = join(REPO, 'README.md');
const PAGES = [README, ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(REPO, 'docs', f))];
const text = (path: string) => readFileSync(path, 'utf8');
const readme = text(README);

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
	heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N} _-]/gu, '')
		.replace(/ /g, '-');
const anchorsOf = (path: string) => new Set([...text(path).matchAll(/^#+ (.+)$/gm)].map(([, heading]) => anchor(heading)));

/** Markdown links and images outside code blocks: `[text](target)`. */
const linksOf = (path: string) => [...text(path).replace(/```[\s\S]*?```/g, '').matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target);

it('every relative link and anchor in README.md and docs/*.md resolves', () => {
	const broken: string[] = [];
	for (const page of PAGES) {
		for (const link of linksOf(page)) {
			if (/^[a-z]+:/i.test(link)) continue;
			const [file, fragment] = link.split('#');
			const target = file ? resolve(dirname(page), file) : page;
			if (!existsSync(target)) broken.push(`${page.slice(REPO.length + 1)}: ${link} (no such file)`);
			else if (fragment && target.endsWith('.md') && !anchorsOf(target).has(fragment))
				broken.push(`${page.slice(REPO.length + 1)}: ${link} (no such heading)`);
		}
	}
	assert.deepEqual(broken, []);
	assert.ok(linksOf(README).filter((link) => link.startsWith('docs/')).length >= 6, 'the README links its docs/ pages');
});

const choices = (property: INodeProperties) => (property.options ?? []) as INodePropertyOptions[];
const properties = [...batchExportNode.description.properties, ...batchExportTrigger.description.properties];
const options = new Map(
	properties
		.filter((property) => property.type === 'collection')
		.flatMap((collection) => collection.options as INodeProperties[])
		.map((option) => [option.displayName, option]),
);

it('README.md names every output, operation and option the editor shows', () => {
	const missing: string[] = [];
	for (const name of choices(common.output).map((choice) => choice.name)) if (!readme.includes(`**${name}**`)) missing.push(`output ${name}`);
	for (const mode of Object.keys(OUTPUT_MODES)) if (!readme.includes(`\`${mode}\``)) missing.push(`output value \`${mode}\``);
	const operation = properties.find((property) => property.name === 'operation');
	for (const { name } of choices(operation!)) if (!readme.includes(`**${name}**`)) missing.push(`operation ${name}`);
	for (const [name, option] of options) {
		if (!readme.includes(name)) missing.push(`option ${name}`);
		for (const choice of choices(option)) if (!readme.includes(choice.name)) missing.push(`${name}: ${choice.name}`);
	}
	assert.deepEqual(missing, []);
});

/** The Options table's default as the README writes it, from the option's description. */
function documentedDefault(option: INodeProperties): string {
	const value = option.default;
	if (typeof value === 'boolean') return value ? 'on' : 'off';
	if (typeof value === 'number') return String(value);
	if (option.type === 'options') return choices(option).find((choice) => choice.value === value)!.name;
	return value === '' ? '—' : `\`${String(value)}\``;
}

it("README.md's Options table gives every option with its default", () => {
	const table = new Map<string, string>();
	for (const [, names, value] of readme.matchAll(/^\| ([^|]+?) \| ([^|]+?) \|[^\n]*$/gm))
		for (const name of names.split(' / ')) table.set(name, value);
	for (const [name, option] of options) assert.equal(table.get(name), documentedDefault(option), `Options table: ${name}`);
});

it('docs/security.md: the limits table gives the defaults the options have', () => {
	const security = text(join(REPO, 'docs', 'security.md'));
	for (const row of [
		`| size of the download | ${common.maxArchiveSizeMb.default} MB |`,
		`| entries | ${common.maxFiles.default} |`,
		`| waiting for the export | ${common.timeout.default} s |`,
		`| failed exports | ${common.failedRetries.default} retries |`,
	])
		assert.ok(security.includes(row), row);
});
