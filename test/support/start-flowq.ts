import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer } from '@flowq/api';
import { createLogger, loadConfig, type FlowqConfig, type Logger } from '@flowq/config';
import { startFlowSimulator, type FlowSimulatorOptions } from '@flowq/flow-simulator';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis, freePort } from '@flowq/testing';
import { startWorkerProcess, type WorkerProcess } from '@flowq/worker';

export const TEST_API_KEY = 'test-api-key-0123456789';
export const TEST_USEAPI_TOKEN = 'sim-token-abcdefghijklmnopqrstuvwxyz';

export interface FlowqUnderTest {
  sim: Awaited<ReturnType<typeof startFlowSimulator>>;
  api: ApiServer;
  /** Absent when started with `worker: false` (the test runs its own worker processes). */
  worker: WorkerProcess;
  db: TestDatabase;
  redis: TestRedis;
  config: FlowqConfig;
  logger: Logger;
  /** fetch against the API with the test key. */
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The whole path on real parts: the Flow simulator, this file's own database and Redis
 * prefix, the API listening on a free port (useapi's callbacks need a real URL) and a worker.
 */
export async function startFlowq(
  label: string,
  opts: {
    sim?: FlowSimulatorOptions;
    env?: Record<string, string>;
    startWorker?: boolean;
    worker?: boolean;
    /** Where the API's and the worker's log lines go (default stdout), e.g. to search them for secrets. */
    logStream?: { write(line: string): void };
  } = {},
): Promise<FlowqUnderTest> {
  const sim = await startFlowSimulator({
    port: 0,
    token: TEST_USEAPI_TOKEN,
    accounts: [
      { email: 'acct-1@flowq.test', tier: 'ultra' },
      { email: 'acct-2@flowq.test', tier: 'pro' },
    ],
    generationMs: { min: 50, max: 150 },
    imageMs: { min: 50, max: 150 },
    startDelayMs: 20,
    seed: 42,
    ...opts.sim,
  });
  const db = await createTestDatabase(label);
  const redis = await createTestRedis(label);
  const accounts = (
    opts.sim?.accounts ?? [
      { email: 'acct-1@flowq.test', tier: 'ultra' },
      { email: 'acct-2@flowq.test', tier: 'pro' },
    ]
  ).map((a) => `${a.email}:${a.tier ?? 'pro'}`);
  // Archived media goes to this test's own directory (unless the test names a store).
  const mediaDir = await mkdtemp(join(tmpdir(), `flowq-media-${label}-`));
  // Known before the API starts, so its PUBLIC_URL (the base of archived media links) is its real address.
  const port = await freePort();
  const env = {
    NODE_ENV: 'test',
    MEDIA_DIR: mediaDir,
    MEDIA_SIGNING_SECRET: 'test-media-signing-secret-0123456789abcdef',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    FLOWQ_API_KEYS: TEST_API_KEY,
    USEAPI_TOKEN: TEST_USEAPI_TOKEN,
    USEAPI_BASE_URL: sim.baseUrl,
    FLOWQ_ACCOUNTS: accounts.join(','),
    BULL_BOARD_USER: 'ops',
    BULL_BOARD_PASSWORD: 'board-password',
    FLOWQ_SECRET_KEY: 'test-secret-key-0123456789abcdefghijklmnop',
    FLOWQ_WEBHOOK_SECRET: 'test-webhook-secret-0123456789',
    POLL_INTERVAL_MS: '400',
    RETRY_DELAY_MIN_MS: '50',
    RETRY_DELAY_MAX_MS: '100',
    MAINTENANCE_INTERVAL_MS: '1000',
    TOKEN_PROBE_INTERVAL_MS: '300',
    ACCOUNT_MAX_PER_MINUTE: '1000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...opts.env,
  };
  const logger = createLogger(env.LOG_LEVEL, {}, opts.logStream);
  const apiConfig = loadConfig(env);
  const api = await startApiServer(apiConfig, logger);
  // The worker tells useapi to call back the address the API actually got.
  const config = loadConfig({ ...env, PUBLIC_URL: api.address });
  const worker = opts.worker === false ? (undefined as unknown as WorkerProcess) : await startWorkerProcess(config, logger);
  if (opts.startWorker === false) await worker.runtime.worker.pause();
  return {
    sim,
    api,
    worker,
    db,
    redis,
    config,
    logger,
    request(path, init = {}) {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${TEST_API_KEY}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${api.address}${path}`, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    },
    /** The environment a separate worker process needs to join this flowq. */
    env: { ...env, PUBLIC_URL: api.address },
    async stop() {
      await worker?.close();
      await api.close();
      await sim.close();
      await redis.cleanup();
      await db.drop();
      await rm(mediaDir, { recursive: true, force: true });
    },
  };
}
