import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Whether a scrape may read the metrics: always when no METRICS_TOKEN is set, else only with
 * `Authorization: Bearer <token>`. Compared as digests so the time taken says nothing about the token.
 */
export function metricsAccessAllowed(token: string | undefined, authorization: string | undefined): boolean {
  if (!token) return true;
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  if (!match) return false;
  return timingSafeEqual(digest(match[1]!.trim()), digest(token));
}
