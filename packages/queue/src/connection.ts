import type { ReachabilityLog } from '@flowq/config';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * Workers block on Redis and must wait out a reconnect (maxRetriesPerRequest: null);
 * producers must fail fast instead, so an API request never hangs while Redis is away.
 */
export function createRedis(url: string, role: 'worker' | 'producer', extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 5_000,
    ...extra,
  });
}

const CONNECTION_ERROR =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|Connection is closed|connect ETIMEDOUT|Stream isn't writeable/;

/** True when `err` says Redis is not reachable, as opposed to a command Redis refused. */
export function isRedisConnectionError(err: unknown): boolean {
  return err instanceof Error && (CONNECTION_ERROR.test(err.message) || CONNECTION_ERROR.test(String((err as { code?: unknown }).code ?? '')));
}

/** Sends every connection's errors and recoveries to one reachability log (one message per outage, not one per retry). */
export function watchRedis(connections: Redis[], log: ReachabilityLog): void {
  for (const r of connections) {
    r.on('error', (err) => log.down(err));
    r.on('ready', () => log.up());
  }
}
