// The harness must load before anything touches n8n's DI container.
import '../harness';

import type { INodeType } from 'n8n-workflow';

// `import … from '…/ProlificBatchExport.node'` would resolve to the codex file
// ProlificBatchExport.node.json before the .ts, so the module is named in full.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ProlificBatchExport } = require('../../nodes/ProlificBatchExport/ProlificBatchExport.node.ts') as {
	ProlificBatchExport: new () => INodeType;
};

export const batchExportNode = new ProlificBatchExport();

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ProlificBatchExportTrigger } = require('../../nodes/ProlificBatchExportTrigger/ProlificBatchExportTrigger.node.ts') as {
	ProlificBatchExportTrigger: new () => INodeType;
};

export const batchExportTrigger = new ProlificBatchExportTrigger();
