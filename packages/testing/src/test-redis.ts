import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export interface TestRedis {
  url: string;
  /** Key prefix of this test file; BullMQ queues and flowq's own keys live under it. */
  prefix: string;
  redis: Redis;
  /** Deletes every key under the prefix and closes the connection. */
  cleanup(): Promise<void>;
}

export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run the tests through vitest (its global setup resolves the services)');
  return url;
}

export async function createTestRedis(label = 'r'): Promise<TestRedis> {
  const prefix = `flowq-test:${label}:${randomBytes(4).toString('hex')}`;
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 3 });
  return {
    url: redisUrl(),
    prefix,
    redis,
    cleanup: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
