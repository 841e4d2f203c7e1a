import type { INodeProperties } from 'n8n-workflow';

/** The export an operation acts on (Get Export Status, Delete Export Job). */
export const exportId: INodeProperties = {
	displayName: 'Export ID',
	name: 'exportId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
	description: 'The export_id that Start Export returned',
};
