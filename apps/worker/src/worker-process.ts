import type { FlowqConfig, Logger } from '@flowq/config';
import { createDatabase, seedAccounts } from '@flowq/db';
import { createGenerateQueue, createRedis } from '@flowq/queue';
import { createUseapiClient } from '@flowq/useapi-client';
import type { AccountLeases } from './account-leases';
import type { WorkerDeps } from './deps';
import { createRoundRobinLeases } from './round-robin-leases';
import { startWorkerRuntime, type WorkerRuntime } from './worker-runtime';

export interface WorkerProcess {
  deps: WorkerDeps;
  runtime: WorkerRuntime;
  /** SIGTERM path: stop taking jobs and wait for running steps, then close the queue, Redis and the pool. */
  close(): Promise<void>;
}

export async function startWorkerProcess(
  config: FlowqConfig,
  logger: Logger,
  opts: { reconcileEveryMs?: number; leases?: (deps: Omit<WorkerDeps, 'leases'>) => AccountLeases; random?: () => number } = {},
): Promise<WorkerProcess> {
  const database = createDatabase(config.db.url, { max: config.db.poolMax, onError: (err) => logger.warn({ err }, 'postgres pool error') });
  await seedAccounts(
    database.db,
    config.accounts.seed.map((a) => ({ ...a, maxConcurrent: config.accounts.maxConcurrent, maxPerMinute: config.accounts.maxPerMinute })),
  );
  const redis = createRedis(config.redis.url, 'worker');
  redis.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error'));
  const queue = createGenerateQueue(redis, config.redis.prefix);
  const client = createUseapiClient({
    baseUrl: config.useapi.baseUrl,
    token: config.useapi.token ?? 'simulator',
    timeoutMs: config.useapi.timeoutMs,
    logger: logger.child({ component: 'useapi' }),
  });
  const base = { config, database, redis, queue, client, logger, ...(opts.random ? { random: opts.random } : {}) };
  const leases = opts.leases ? opts.leases(base) : createRoundRobinLeases(database.db, redis, config.redis.prefix);
  const deps: WorkerDeps = { ...base, leases };
  const runtime = startWorkerRuntime(deps, opts);
  return {
    deps,
    runtime,
    async close() {
      await runtime.close();
      await queue.close();
      redis.disconnect();
      await database.close();
    },
  };
}
