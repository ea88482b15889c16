import { ConflictError, NotFoundError, newId, sealSecret } from '@flowq/core';
import { findActiveApiKeyByHash, findApiKey, insertApiKey, listApiKeys, revokeApiKey, setApiKeySigningSecret, touchApiKey, type ApiKeyRow } from '@flowq/db';
import type { ApiDeps } from '../deps';
import { hashApiKey, newApiKeyToken, newSigningSecret } from './api-key-token';

/** How long a lookup is trusted: revoking a key takes effect in every API process within this. */
export const API_KEY_CACHE_MS = 5_000;
/** `lastUsedAt` is written at most this often per key, so a busy key does not write on every request. */
export const API_KEY_TOUCH_MS = 60_000;
/** Lookups kept at most; a flood of made-up keys cannot grow the cache past it. */
const CACHE_MAX = 10_000;

/** A key that passed: its id owns jobs and batches; admins see everything and manage accounts and keys. */
export interface ApiKeyIdentity {
  id: string;
  admin: boolean;
}

export interface CreatedApiKey {
  row: ApiKeyRow;
  /** The key itself, answered once and never stored. */
  token: string;
  /** The key's callback signing secret, answered once; stored sealed (secret-box.ts). */
  signingSecret: string;
}

/**
 * API keys stored in Postgres (created and revoked with `flowq keys`). Lookups, found or
 * not, are cached for API_KEY_CACHE_MS so a request does not always reach Postgres.
 */
export function createApiKeyService({ database, logger, config }: Pick<ApiDeps, 'database' | 'logger' | 'config'>, now: () => number = Date.now) {
  const { db } = database;
  const seal = (secret: string) => sealSecret(config.callbacks.secretKey, secret);
  const cache = new Map<string, { identity: ApiKeyIdentity | null; until: number }>();
  const touched = new Map<string, number>();

  function remember(hash: string, identity: ApiKeyIdentity | null): void {
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(hash, { identity, until: now() + API_KEY_CACHE_MS });
  }

  function touch(id: string): void {
    const last = touched.get(id) ?? 0;
    if (now() - last < API_KEY_TOUCH_MS) return;
    if (touched.size >= CACHE_MAX) touched.clear();
    touched.set(id, now());
    touchApiKey(db, id).catch((err: unknown) => logger.warn({ err, keyId: id }, 'could not record when an API key was last used'));
  }

  return {
    /** The live key `token` names, or null. */
    async authenticate(token: string): Promise<ApiKeyIdentity | null> {
      const hash = hashApiKey(token);
      const cached = cache.get(hash);
      let identity: ApiKeyIdentity | null;
      if (cached && cached.until > now()) identity = cached.identity;
      else {
        const row = await findActiveApiKeyByHash(db, hash);
        identity = row ? { id: row.id, admin: row.admin } : null;
        remember(hash, identity);
      }
      if (identity) touch(identity.id);
      return identity;
    },

    async create(input: { name: string; admin: boolean }): Promise<CreatedApiKey> {
      const token = newApiKeyToken();
      const signingSecret = newSigningSecret();
      const row = await insertApiKey(db, {
        id: newId('key'),
        name: input.name,
        hash: hashApiKey(token),
        admin: input.admin,
        signingSecret: seal(signingSecret),
      });
      return { row, token, signingSecret };
    },

    /** A new callback signing secret for a live key, answered once; callbacks sent from now on use it. */
    async rotateSigningSecret(id: string): Promise<{ row: ApiKeyRow; signingSecret: string }> {
      const existing = await findApiKey(db, id);
      if (!existing) throw new NotFoundError(`API key ${id} not found`);
      if (existing.revokedAt) throw new ConflictError(`API key ${id} is revoked`);
      const signingSecret = newSigningSecret();
      const row = await setApiKeySigningSecret(db, id, seal(signingSecret));
      if (!row) throw new NotFoundError(`API key ${id} not found`);
      return { row, signingSecret };
    },

    list: () => listApiKeys(db),

    /** Revokes at once in this process; other API processes stop accepting the key within API_KEY_CACHE_MS. */
    async revoke(id: string): Promise<ApiKeyRow> {
      const row = await revokeApiKey(db, id);
      if (!row) {
        const existing = await findApiKey(db, id);
        if (!existing) throw new NotFoundError(`API key ${id} not found`);
        throw new ConflictError(`API key ${id} was already revoked`);
      }
      cache.delete(row.hash);
      return row;
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
