import { createHash, type Hash } from 'node:crypto';
import { PayloadTooLargeError, ValidationError } from '@flowq/core';
import type { FastifyRequest } from 'fastify';

/** Longest `Idempotency-Key` accepted; clients use a UUID or similar. */
export const IDEMPOTENCY_KEY_MAX = 255;

/** The request's `Idempotency-Key`, undefined when it has none; 400 when it is empty or too long. */
export function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = (Array.isArray(raw) ? raw.join(',') : raw).trim();
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX) {
    throw new ValidationError(`Idempotency-Key: must be 1 to ${IDEMPOTENCY_KEY_MAX} characters`, 'Idempotency-Key');
  }
  return key;
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * A running fingerprint of a request: the route and its parameters first, then the body
 * (a parsed JSON value, or the bytes of an uploaded file as they stream past).
 */
export function requestFingerprint(route: string, ...parts: unknown[]): Hash {
  const hash = createHash('sha256').update(route).update('\n');
  for (const part of parts) hash.update(canonicalJson(part)).update('\n');
  return hash;
}

/** `source` unchanged, feeding every chunk to `hash` on its way. */
export async function* hashing(source: AsyncIterable<Buffer | string>, hash: Hash): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    hash.update(buf);
    yield buf;
  }
}

/** Reads `source` to its end only to fingerprint it (a replayed upload), 413 past `maxBytes`. */
export async function drainInto(source: AsyncIterable<Buffer | string>, hash: Hash, maxBytes: number): Promise<void> {
  let bytes = 0;
  for await (const buf of hashing(source, hash)) {
    bytes += buf.length;
    if (bytes > maxBytes) throw new PayloadTooLargeError(`file: is larger than the limit of ${maxBytes} bytes`, 'file');
  }
}
