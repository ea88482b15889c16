import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '@flowq/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Stable, non-secret id of the API key that made the request (a hash prefix). */
    apiKeyId?: string;
    /** Whether the key may use the admin routes (accounts, keys) and see every owner's jobs. Every FLOWQ_API_KEYS key is admin. */
    apiKeyIsAdmin?: boolean;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function apiKeyId(key: string): string {
  return `key_${digest(key).toString('hex').slice(0, 16)}`;
}

/** Looks a key up among the keys created with the CLI (Postgres); null when unknown or revoked. */
export type ApiKeyLookup = (token: string) => Promise<{ id: string; admin: boolean } | null>;

/**
 * An onRequest hook (before the body is read or validated) that admits `Authorization: Bearer <key>`: a bootstrap key from
 * FLOWQ_API_KEYS (compared in constant time, always admin) or a key created with
 * `flowq keys create` (`lookup`). 401 without a key, or for an unknown or revoked one.
 */
export function apiKeyAuth(keys: string[], lookup?: ApiKeyLookup) {
  const digests = keys.map((k) => ({ digest: digest(k), id: apiKeyId(k) }));
  return async function authenticate(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedError('Missing API key: send Authorization: Bearer <key>');
    const token = match[1]!.trim();
    const given = digest(token);
    let found: string | undefined;
    for (const d of digests) if (timingSafeEqual(d.digest, given)) found = d.id;
    if (found) {
      req.apiKeyId = found;
      req.apiKeyIsAdmin = true;
      return;
    }
    const stored = lookup && token.length <= 256 ? await lookup(token) : null;
    if (!stored) throw new UnauthorizedError('Invalid API key');
    req.apiKeyId = stored.id;
    req.apiKeyIsAdmin = stored.admin;
  };
}

/**
 * Whose jobs and batches a request may see: undefined for an admin (all of them),
 * otherwise the key's own id. Another owner's job or batch answers 404, not 403, so a
 * key cannot learn which ids exist.
 */
export function ownerScope(req: FastifyRequest): string | undefined {
  if (req.apiKeyIsAdmin) return undefined;
  if (!req.apiKeyId) throw new UnauthorizedError('Missing API key: send Authorization: Bearer <key>');
  return req.apiKeyId;
}
