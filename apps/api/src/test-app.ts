import { createLogger, loadConfig } from '@flowq/config';
import { createGenerateQueue, createRedis } from '@flowq/queue';
import { createTestDatabase, createTestRedis } from '@flowq/testing';
import { createUseapiClient, type UseapiClient } from '@flowq/useapi-client';
import { buildApp } from './app';

export const KEY = 'api-test-key-0123456789';

/** The API on this test file's own database and Redis prefix, for `app.inject()`. */
export async function buildTestApp(label: string, env: Record<string, string> = {}, opts: { client?: UseapiClient } = {}) {
  const tdb = await createTestDatabase(label);
  const tredis = await createTestRedis(label);
  const config = loadConfig({
    DATABASE_URL: tdb.url,
    REDIS_URL: tredis.url,
    REDIS_PREFIX: tredis.prefix,
    FLOWQ_API_KEYS: `${KEY},second-key-abcdefghijkl`,
    USEAPI_TOKEN: 'token-for-tests-xxxxxxxxxxxxxxxx',
    BULL_BOARD_PASSWORD: 'board-pw',
    FLOWQ_SECRET_KEY: 'test-secret-key-0123456789abcdefghijklmnop',
    FLOWQ_WEBHOOK_SECRET: 'test-webhook-secret-0123456789',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const redis = createRedis(config.redis.url, 'producer');
  const queue = createGenerateQueue(redis, config.redis.prefix);
  // Set USEAPI_BASE_URL to a simulator's baseUrl for tests that reach useapi.
  const client = opts.client ?? createUseapiClient({ baseUrl: config.useapi.baseUrl, token: config.useapi.token ?? 'simulator', timeoutMs: 5_000 });
  const app = await buildApp({ config, database: tdb, redis, queue, logger: createLogger('silent'), client });
  return {
    app,
    db: tdb,
    queue,
    redis,
    config,
    auth: { authorization: `Bearer ${KEY}` },
    async close() {
      // The database and keys go even when closing the app fails (a test may have broken it on purpose).
      try {
        await app.close();
        await queue.close();
      } finally {
        redis.disconnect();
        await tredis.cleanup();
        await tdb.drop();
      }
    },
  };
}
