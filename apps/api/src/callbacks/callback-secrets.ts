import type { FlowqConfig } from '@flowq/config';
import { openSecret } from '@flowq/core';
import { findApiKey, type Db } from '@flowq/db';
import { apiKeyId } from '../plugins/api-key-auth';

/**
 * The secret that signs an owner's callbacks: the API key's own signing secret (sealed in
 * Postgres), or FLOWQ_WEBHOOK_SECRET for the bootstrap keys of FLOWQ_API_KEYS. Read at each
 * send, so a rotated secret signs every attempt made after the rotation.
 */
export function createCallbackSecrets(db: Db, config: FlowqConfig) {
  const bootstrapIds = new Set(config.auth.apiKeys.map(apiKeyId));
  return {
    async secretFor(ownerKey: string | null): Promise<string | null> {
      if (ownerKey === null) return null;
      if (bootstrapIds.has(ownerKey)) return config.callbacks.bootstrapSecret;
      const key = await findApiKey(db, ownerKey);
      return key?.signingSecret ? openSecret(config.callbacks.secretKey, key.signingSecret) : null;
    },
  };
}

export type CallbackSecrets = ReturnType<typeof createCallbackSecrets>;
