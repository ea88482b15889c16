import { createLogger, loadConfig } from '@flowq/config';
import { createGenerateQueue, createRedis } from '@flowq/queue';
import { createTestDatabase, createTestRedis } from '@flowq/testing';
import { buildApp } from './app';

export const KEY = 'api-test-key-0123456789';

/** The API on this test file's own database and Redis prefix, for `app.inject()`. */
export async function buildTestApp(label: string, env: Record<string, string> = {}) {
  const tdb = await createTestDatabase(label);
  const tredis = await createTestRedis(label);
  const config = loadConfig({
    DATABASE_URL: tdb.url,
    REDIS_URL: tredis.url,
    REDIS_PREFIX: tredis.prefix,
    FLOWQ_API_KEYS: `${KEY},second-key-abcdefghijkl`,
    USEAPI_TOKEN: 'token-for-tests-xxxxxxxxxxxxxxxx',
    BULL_BOARD_PASSWORD: 'board-pw',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const redis = createRedis(config.redis.url, 'producer');
  const queue = createGenerateQueue(redis, config.redis.prefix);
  const app = await buildApp({ config, database: tdb, redis, queue, logger: createLogger('silent') });
  return {
    app,
    db: tdb,
    queue,
    auth: { authorization: `Bearer ${KEY}` },
    async close() {
      await app.close();
      await queue.close();
      redis.disconnect();
      await tredis.cleanup();
      await tdb.drop();
    },
  };
}
