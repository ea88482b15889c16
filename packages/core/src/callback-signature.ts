import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a client callback announces; `Flowq-Event` carries one of these. */
export const CALLBACK_EVENTS = ['job.succeeded', 'job.failed', 'job.cancelled', 'batch.completed'] as const;
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number];

/** The `Flowq-Event` of a job that reached `status`, or null for a status that is not an end. */
export function jobCallbackEvent(status: string): CallbackEvent | null {
  if (status === 'succeeded') return 'job.succeeded';
  if (status === 'failed') return 'job.failed';
  if (status === 'cancelled') return 'job.cancelled';
  return null;
}

function hmacHex(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * `Flowq-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. The time is
 * inside what is signed, so a receiver that refuses old timestamps cannot be replayed into.
 */
export function signCallback(secret: string, body: string | Buffer, timestamp: number): string {
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;
}

/**
 * The receiver's check, as the docs show it: the header's `v1` must be the HMAC of
 * "<t>.<raw body>", compared in constant time, and `t` within `toleranceS` of now.
 */
export function verifyCallback(secret: string, header: string | undefined, body: string | Buffer, opts: { nowS?: number; toleranceS?: number } = {}): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  const given = parts.v1;
  if (!Number.isInteger(t) || !given || !/^[0-9a-f]{64}$/.test(given)) return false;
  const now = opts.nowS ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (opts.toleranceS ?? 300)) return false;
  return timingSafeEqual(Buffer.from(hmacHex(secret, t, body), 'hex'), Buffer.from(given, 'hex'));
}
