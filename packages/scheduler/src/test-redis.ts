import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** Real Redis for tests: one random key prefix per test file, its keys deleted at the end. */
export interface TestRedis {
  prefix: string;
  /** Opens another connection (closed by `cleanup`). */
  connect(): Redis;
  redis: Redis;
  cleanup(): Promise<void>;
}

export function createTestRedis(label: string): TestRedis {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `flowq-test:${label}:${randomBytes(4).toString('hex')}`;
  const connections: Redis[] = [];
  const connect = () => {
    const c = new Redis(url, { maxRetriesPerRequest: 3 });
    connections.push(c);
    return c;
  };
  const redis = connect();
  return {
    prefix,
    connect,
    redis,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      for (const c of connections) c.disconnect();
    },
  };
}
