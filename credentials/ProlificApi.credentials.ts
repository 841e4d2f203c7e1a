import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class ProlificApi implements ICredentialType {
	name = 'prolificApi';

	displayName = 'Prolific API';

	icon: Icon = { light: 'file:prolific.svg', dark: 'file:prolific.dark.svg' };

	documentationUrl = 'https://docs.prolific.com/api-reference/introduction/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Create one in Prolific under Settings > API Tokens. It never expires and carries your full researcher rights, so keep it secret.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.prolific.com',
			description:
				'Leave as is for Prolific. Change it only to go through a proxy or to reach a test server.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Token {{$credentials.apiToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/api/v1/users/me/',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Invalid token: Prolific rejected it. Copy a current token from Prolific (Settings > API Tokens).',
				},
			},
		],
	};
}
