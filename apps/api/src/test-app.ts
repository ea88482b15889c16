import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, loadConfig } from '@flowq/config';
import { openMediaStore } from '@flowq/media-store';
import { createGenerateQueue, createRedis } from '@flowq/queue';
import { createTestDatabase, createTestRedis } from '@flowq/testing';
import { createUseapiClient, type UseapiClient } from '@flowq/useapi-client';
import { buildApp } from './app';

export const KEY = 'api-test-key-0123456789';

/** The API on this test file's own database and Redis prefix, for `app.inject()`. */
export async function buildTestApp(label: string, env: Record<string, string> = {}, opts: { client?: UseapiClient } = {}) {
  const tdb = await createTestDatabase(label);
  const tredis = await createTestRedis(label);
  const mediaDir = await mkdtemp(path.join(tmpdir(), `flowq-media-${label}-`));
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
    MEDIA_DIR: mediaDir,
    ...env,
  });
  const redis = createRedis(config.redis.url, 'producer');
  const queue = createGenerateQueue(redis, config.redis.prefix);
  // Set USEAPI_BASE_URL to a simulator's baseUrl for tests that reach useapi.
  const client = opts.client ?? createUseapiClient({ baseUrl: config.useapi.baseUrl, token: config.useapi.token ?? 'simulator', timeoutMs: 5_000 });
  const mediaStore = await openMediaStore(config.media.store);
  const app = await buildApp({ config, database: tdb, redis, queue, logger: createLogger('silent'), client, mediaStore });
  return {
    app,
    db: tdb,
    queue,
    redis,
    config,
    mediaStore,
    auth: { authorization: `Bearer ${KEY}` },
    async close() {
      // The database and keys go even when closing the app fails (a test may have broken it on purpose).
      try {
        await app.close();
        await queue.close();
      } finally {
        redis.disconnect();
        await mediaStore.close();
        await rm(mediaDir, { recursive: true, force: true });
        await tredis.cleanup();
        await tdb.drop();
      }
    },
  };
}
