import './env';
import 'reflect-metadata';

import { Container } from '@n8n/di';
import {
	BinaryDataService,
	Cipher,
	EncryptionKeyProxy,
	InstanceSettings,
	type KeyInfo,
} from 'n8n-core';

/**
 * The CLI backs key lookups with its database. Here the instance key is the only key, in the
 * legacy unprefixed form n8n keeps for data encrypted with N8N_ENCRYPTION_KEY itself.
 */
function useInstanceKey() {
	const { encryptionKey } = Container.get(InstanceSettings);
	const key: KeyInfo = {
		id: 'instance-key',
		value: Container.get(Cipher).encryptDEKWithInstanceKey(encryptionKey),
		algorithm: 'aes-256-cbc',
		format: 'no-prefix',
	};
	Container.get(EncryptionKeyProxy).setProvider({
		getActiveKey: async () => key,
		getKeyById: async (id) => (id === key.id ? key : null),
		getLegacyKey: async () => key,
	});
}

let ready: Promise<void> | undefined;

/** Sets up n8n's instance settings, key provider and filesystem binary store once per process. */
export async function ensureEngine(): Promise<void> {
	ready ??= (async () => {
		useInstanceKey();
		await Container.get(BinaryDataService).init();
	})();
	await ready;
}
