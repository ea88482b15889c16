import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '@flowq/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Stable, non-secret id of the API key that made the request (a hash prefix). */
    apiKeyId?: string;
    /** Whether the key may use the admin routes (accounts). Every FLOWQ_API_KEYS key is admin. */
    apiKeyIsAdmin?: boolean;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function apiKeyId(key: string): string {
  return `key_${digest(key).toString('hex').slice(0, 16)}`;
}

/** A preHandler that admits `Authorization: Bearer <key>` for one of `keys`, compared in constant time. */
export function apiKeyAuth(keys: string[]) {
  const digests = keys.map((k) => ({ digest: digest(k), id: apiKeyId(k) }));
  return async function authenticate(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedError('Missing API key: send Authorization: Bearer <key>');
    const given = digest(match[1]!.trim());
    let found: string | undefined;
    for (const d of digests) if (timingSafeEqual(d.digest, given)) found = d.id;
    if (!found) throw new UnauthorizedError('Invalid API key');
    req.apiKeyId = found;
    req.apiKeyIsAdmin = true;
  };
}
