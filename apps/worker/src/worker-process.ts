import { createReachabilityLog, type WorkerConfig, type Logger } from '@flowq/config';
import { createAccountCache, createDatabase, seedAccounts } from '@flowq/db';
import { createFlowqMetrics, startMetricsServer, type FlowqMetrics, type MetricsServer } from '@flowq/metrics';
import { createArchiveQueue, createGenerateQueue, createRedis, createSlotRelease, createWaitingRoom, isRedisConnectionError, watchRedis } from '@flowq/queue';
import { createAccountSlots, createAccountStats, createSlotHandOn, createWorkingLimitStore, handOnLimitsFrom } from '@flowq/scheduler';
import { openMediaStore } from '@flowq/media-store';
import { createUseapiClient } from '@flowq/useapi-client';
import { createAccountEffects } from './account-effects';
import { createPoolSnapshots } from './account-pool-snapshot';
import { createAccountScheduler } from './account-scheduler';
import { createImageLeases } from './image-leases';
import type { WorkerDeps } from './deps';
import { meteredClient } from './metered-client';
import { createDispatchGate } from './dispatch-gate';
import { createWaker } from './waker';
import { startWorkerRuntime, type WorkerRuntime } from './worker-runtime';

export interface WorkerProcess {
  deps: WorkerDeps;
  runtime: WorkerRuntime;
  /** Where this worker serves `GET /metrics` (METRICS_PORT), if it does. */
  metricsUrl: string | undefined;
  /** SIGTERM path: stop taking jobs and wait for running steps, then close the queue, Redis and the pool. */
  close(): Promise<void>;
}

/** Everything one worker process owns, wired: pool, Redis connections, queue, client, scheduler, waker. */
export async function startWorkerProcess(
  config: WorkerConfig,
  logger: Logger,
  opts: { random?: () => number; metrics?: FlowqMetrics } = {},
): Promise<WorkerProcess> {
  const metrics = opts.metrics ?? createFlowqMetrics();
  const database = createDatabase(config.db.url, { max: config.db.poolMax, onError: (err) => logger.warn({ err }, 'postgres pool error') });
  await seedAccounts(
    database.db,
    config.accounts.seed.map((a) => ({ ...a, maxConcurrent: config.accounts.maxConcurrent, maxPerMinute: config.accounts.maxPerMinute })),
  );
  // Opened before any Redis connection: with this await between creating the connections and the
  // waker's subscribe, the subscriber logged "Connection in subscriber mode" at start (service-outage-messages test).
  const mediaStore = await openMediaStore(config.media.store);
  const redis = createRedis(config.redis.url, 'worker');
  const subscriber = createRedis(config.redis.url, 'worker');
  const redisLog = createReachabilityLog('Redis', config.redis.url, logger);
  watchRedis([redis, subscriber], redisLog);
  const queue = createGenerateQueue(redis, config.redis.prefix);
  queue.on('error', (err) => (isRedisConnectionError(err) ? redisLog.down(err) : logger.error({ err }, 'queue error')));
  const archiveQueue = createArchiveQueue(redis, config.redis.prefix, config.media.archiveAttempts);
  archiveQueue.on('error', (err) => (isRedisConnectionError(err) ? redisLog.down(err) : logger.error({ err }, 'archive queue error')));
  const upstream = createUseapiClient({
    baseUrl: config.useapi.baseUrl,
    token: config.useapi.token ?? 'simulator',
    timeoutMs: config.useapi.timeoutMs,
    captcha: config.useapi.captcha,
    logger: logger.child({ component: 'useapi' }),
  });
  const client = meteredClient(upstream, metrics);
  const prefix = config.redis.prefix;
  const slots = createAccountSlots(redis, { prefix });
  const stats = createAccountStats(redis, { prefix });
  const accounts = createAccountCache(database.db);
  const snapshots = createPoolSnapshots(accounts, slots, stats);
  const effects = createAccountEffects(database.db, logger, () => snapshots.invalidate());
  const gate = createDispatchGate(redis, prefix, {
    tokenProbeIntervalMs: config.worker.tokenProbeIntervalMs,
    // A lone 503 pauses dispatch as long as one retry would wait; a run of them doubles it.
    backoff: { baseMs: config.worker.retryDelayMs.min },
  });
  const waitingRoom = createWaitingRoom(redis, prefix);
  const handOn = createSlotHandOn(redis, { prefix });
  const slotRelease = createSlotRelease({
    queue,
    waitingRoom,
    slots,
    tierOf: accounts.tierOf,
    handOn: { slots: handOn, limitsOf: handOnLimitsFrom(accounts.rows) },
    onWakeError: (err) => logger.debug({ err }, 'wake-up failed; the job wakes on its timer'),
  });
  const waker = createWaker({ waitingRoom, snapshots, queue, logger });
  const limits = createWorkingLimitStore(redis, { prefix });
  const leases = createAccountScheduler({ config, logger, slots, stats, limits, snapshots, effects, gate, waitingRoom, slotRelease, handOn });
  // The image lane: its own slots and waiting room (the same code under `<prefix>:image` keys).
  const imageSlots = createAccountSlots(redis, { prefix, lane: 'image' });
  const imageWaitingRoom = createWaitingRoom(redis, `${prefix}:image`);
  const imageSlotRelease = createSlotRelease({
    queue,
    waitingRoom: imageWaitingRoom,
    slots: imageSlots,
    tierOf: accounts.tierOf,
    onWakeError: (err) => logger.debug({ err }, 'image wake-up failed; the job wakes on its timer'),
  });
  const imageLeases = createImageLeases({ config, slots: imageSlots, snapshots, gate, waitingRoom: imageWaitingRoom, slotRelease: imageSlotRelease });
  const deps: WorkerDeps = {
    config,
    database,
    redis,
    queue,
    archiveQueue,
    mediaStore,
    waitingRoom,
    client,
    leases,
    imageLeases,
    slots,
    imageSlots,
    pool: snapshots,
    effects,
    gate,
    logger,
    metrics,
    ...(opts.random ? { random: opts.random } : {}),
  };
  const stopWaker = await waker.listen(subscriber, prefix);
  const runtime = startWorkerRuntime(deps, redisLog);
  let metricsServer: MetricsServer | undefined;
  if (config.metrics.port !== undefined) {
    metricsServer = await startMetricsServer(metrics.registry, { port: config.metrics.port, host: config.http.host, token: config.metrics.token });
  }
  return {
    deps,
    runtime,
    metricsUrl: metricsServer?.url,
    async close() {
      await metricsServer?.close();
      await runtime.close();
      await stopWaker();
      await queue.close();
      await archiveQueue.close();
      await mediaStore.close();
      subscriber.disconnect();
      redis.disconnect();
      await database.close();
    },
  };
}
