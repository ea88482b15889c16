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
