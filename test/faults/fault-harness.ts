import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer } from '@flowq/api';
import { createLogger, loadConfig } from '@flowq/config';
import { startFlowSimulator, type FlowSimulator, type FlowSimulatorOptions } from '@flowq/flow-simulator';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@flowq/testing';
import { Redis } from 'ioredis';
import { startTcpProxy, targetOf, type TcpProxy } from '../support/tcp-proxy';
import { spawnWorkers, type WorkerProcesses } from '../support/worker-processes';

export const FAULT_API_KEY = 'fault-api-key-0123456789';
const USEAPI_TOKEN = 'sim-token-faults-abcdefghijklmnop';

export interface FaultSystem {
  sim: FlowSimulator;
  api: ApiServer;
  workers: WorkerProcesses;
  db: TestDatabase;
  redis: TestRedis;
  /** Between flowq (API and workers) and the real Postgres / Redis / simulator. */
  proxies: { pg: TcpProxy; redis: TcpProxy; useapi: TcpProxy };
  /** The filesystem media store's directory (MEDIA_DIR), unless the run names another store. */
  mediaDir: string;
  /** Stops the API process's server (and its callback sender) and starts a fresh one on the same port. */
  restartApi(): Promise<void>;
  /** What Redis holds for this flowq is gone, as after FLUSHALL (only this prefix: other test files share the server). */
  wipeRedis(): Promise<number>;
  post(path: string, body: unknown): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * flowq as in production, with every connection it makes to Postgres, Redis and useapi going
 * through a TCP proxy the test controls: an API server in this process and `workerCount`
 * real worker processes (which the test may SIGKILL).
 */
export async function startFaultSystem(
  label: string,
  opts: { sim: FlowSimulatorOptions; env?: Record<string, string>; workerCount: number; useapiResponseDelayMs?: number },
): Promise<FaultSystem> {
  const sim = await startFlowSimulator({ port: 0, token: USEAPI_TOKEN, seed: 7, ...opts.sim });
  const db = await createTestDatabase(label);
  const redis = await createTestRedis(label);
  const pg = await startTcpProxy(targetOf(db.url, 5432));
  const redisProxy = await startTcpProxy(targetOf(redis.url, 6379));
  const simUrl = new URL(sim.baseUrl);
  const useapi = await startTcpProxy(targetOf(sim.baseUrl, 80), { responseDelayMs: opts.useapiResponseDelayMs ?? 0 });
  const useapiBase = `http://127.0.0.1:${useapi.port}${simUrl.pathname}`;
  const accounts = (opts.sim.accounts ?? []).map((a) => `${a.email}:${a.tier ?? 'pro'}`);
  const mediaDir = await mkdtemp(join(tmpdir(), `flowq-media-${label}-`));
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    MEDIA_DIR: mediaDir,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: pg.rewrite(db.url),
    DATABASE_POOL_MAX: '8',
    REDIS_URL: redisProxy.rewrite(redis.url),
    REDIS_PREFIX: redis.prefix,
    FLOWQ_API_KEYS: FAULT_API_KEY,
    USEAPI_TOKEN,
    USEAPI_BASE_URL: useapiBase,
    USEAPI_TIMEOUT_MS: '2000',
    FLOWQ_ACCOUNTS: accounts.join(','),
    BULL_BOARD_PASSWORD: 'board-password',
    FLOWQ_SECRET_KEY: 'test-secret-key-0123456789abcdefghijklmnop',
    FLOWQ_WEBHOOK_SECRET: 'test-webhook-secret-0123456789',
    POLL_INTERVAL_MS: '500',
    RETRY_DELAY_MIN_MS: '50',
    RETRY_DELAY_MAX_MS: '150',
    MAINTENANCE_INTERVAL_MS: '2000',
    TOKEN_PROBE_INTERVAL_MS: '500',
    ACCOUNT_MAX_PER_MINUTE: '1000',
    ACCOUNT_LEASE_MS: '120000',
    WORKER_CONCURRENCY: '20',
    WORKER_LOCK_MS: '3000',
    FLOWQ_AMBIGUOUS_TIMEOUT_MS: '3000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...opts.env,
  };
  const logger = createLogger(env.LOG_LEVEL as 'silent');
  let api = await startApiServer(loadConfig(env), logger);
  const workerEnv = { ...env, PUBLIC_URL: api.address };
  const workers = spawnWorkers(opts.workerCount, workerEnv);
  const direct = new Redis(redis.url, { maxRetriesPerRequest: 3 });
  const system: FaultSystem = {
    sim,
    api,
    workers,
    db,
    redis,
    proxies: { pg, redis: redisProxy, useapi },
    mediaDir,
    async restartApi() {
      await api.close();
      api = await startApiServer(loadConfig({ ...env, PORT: new URL(workerEnv.PUBLIC_URL).port }), logger);
      system.api = api;
    },
    async wipeRedis() {
      let deleted = 0;
      let cursor = '0';
      do {
        const [next, keys] = await direct.scan(cursor, 'MATCH', `${redis.prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) deleted += await direct.del(...keys);
      } while (cursor !== '0');
      return deleted;
    },
    post(path, body) {
      return fetch(`${api.address}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${FAULT_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    },
    async stop() {
      for (const p of [pg, redisProxy, useapi]) p.restore();
      await workers.stop();
      await api.close();
      await sim.close();
      direct.disconnect();
      await redis.cleanup();
      await db.drop();
      for (const p of [pg, redisProxy, useapi]) await p.close();
      await rm(mediaDir, { recursive: true, force: true });
      // A worker that dies on its own is a bug in flowq (the harness only respawns those it killed):
      // its jobs would wait for a process nobody restarts.
      const deaths = workers.deaths();
      if (deaths.length > 0) throw new Error(`worker processes crashed during the scenario: ${deaths.join('; ')}\n${workers.output().slice(-3000)}`);
    },
  };
  return system;
}
