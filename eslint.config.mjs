// Flat config (ESLint 9). Mirrors what `n8n-node lint` and the community-node verification
// scanner check, with every rule at "error" so `npm run lint` fails on anything they would flag.
import { globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

/** Same rules, every enabled severity (`warn`/1, `error`/2, with or without options) as `error`. */
const asErrors = (rules) =>
	Object.fromEntries(
		Object.entries(rules).map(([name, entry]) => {
			const [severity, ...options] = Array.isArray(entry) ? entry : [entry];
			if (severity === 'off' || severity === 0) return [name, entry];
			return [name, options.length > 0 ? ['error', ...options] : 'error'];
		}),
	);

const communityRecommended = n8nCommunityNodesPlugin.configs.recommended;

export default tseslint.config(
	globalIgnores(['dist/', 'node_modules/', 'test/bench/results/']),

	// TypeScript sources, and package.json parsed as an expression so the package.json rules
	// of both plugins see an ObjectExpression (the same setup `n8n-node lint` uses).
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		languageOptions: {
			parser: tseslint.parser,
			ecmaVersion: 'latest',
			sourceType: 'module',
		},
	},
	{
		files: ['package.json'],
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
	},

	// eslint-plugin-n8n-nodes-base: its `community`, `credentials` and `nodes` configs are
	// legacy eslintrc objects; only their `rules` are taken.
	{
		plugins: { 'n8n-nodes-base': n8nNodesBase },
	},
	{
		files: ['package.json'],
		rules: asErrors(n8nNodesBase.configs.community.rules),
	},
	{
		files: ['credentials/**/*.credentials.ts'],
		rules: {
			...asErrors(n8nNodesBase.configs.credentials.rules),
			// Contradicts @n8n/community-nodes/credential-documentation-url: this one wants a
			// camelCase docs.n8n.io slug (n8n-internal), that one a full URL. No value passes
			// both; `n8n-node lint` switches this one off too.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...asErrors(n8nNodesBase.configs.nodes.rules),
			// These two demand the string literal ['main']; @n8n/community-nodes/
			// node-connection-type-literal demands [NodeConnectionTypes.Main]. No value passes
			// both; `n8n-node lint` switches these two off too.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},

	// @n8n/eslint-plugin-community-nodes `recommended` (the n8n Cloud set), warnings raised to errors.
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'],
		plugins: communityRecommended.plugins,
		rules: {
			...asErrors(communityRecommended.rules),
			// The archive is read from a temporary file with Node's own fs, stream and zlib
			// (exempted line by line from no-restricted-imports), and luxon is a declared
			// dependency. That makes this an unverified community node (installed from
			// Settings > Community nodes, where n8n installs `dependencies`), so this one rule,
			// which only verified/Cloud nodes must pass, is off. Every other rule stays on.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},

	// The tests, the emulator, the harness and the benchmark: typescript-eslint's recommended
	// rules. n8n's node rules stay on nodes/ and credentials/, the only folders n8n loads.
	{
		files: ['test/**/*.ts'],
		extends: [tseslint.configs.recommended],
		languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
		rules: {
			// Unused names are the type checker's job (noUnusedLocals), which knows `_`-prefixed ones.
			'@typescript-eslint/no-unused-vars': 'off',
		},
	},
);
