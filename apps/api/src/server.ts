import { createReachabilityLog, type FlowqConfig, type Logger } from '@flowq/config';
import { createDatabase, isDatabaseUnavailable } from '@flowq/db';
import type { FlowqMetrics } from '@flowq/metrics';
import { createGenerateQueue, createRedis, isRedisConnectionError, watchRedis } from '@flowq/queue';
import { createUseapiClient } from '@flowq/useapi-client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import { createCallbackBodies } from './callbacks/callback-bodies';
import { createCallbackDispatcher } from './callbacks/callback-dispatcher';
import { createCallbackSecrets } from './callbacks/callback-secrets';

export interface ApiServer {
  app: FastifyInstance;
  /** Where it listens, e.g. http://127.0.0.1:3000 */
  address: string;
  close(): Promise<void>;
}

/** Builds the API with its own pool, Redis connection and queue, and listens. `close` undoes all of it. */
export async function startApiServer(config: FlowqConfig, logger: Logger, opts: { metrics?: FlowqMetrics } = {}): Promise<ApiServer> {
  const postgresLog = createReachabilityLog('PostgreSQL', config.db.url, logger);
  const database = createDatabase(config.db.url, {
    max: config.db.poolMax,
    onError: (err) => (isDatabaseUnavailable(err) ? postgresLog.down(err) : logger.warn({ err }, 'postgres pool error')),
  });
  database.pool.on('connect', () => postgresLog.up());
  const redis = createRedis(config.redis.url, 'producer');
  const redisLog = createReachabilityLog('Redis', config.redis.url, logger);
  watchRedis([redis], redisLog);
  const queue = createGenerateQueue(redis, config.redis.prefix);
  queue.on('error', (err) => (isRedisConnectionError(err) ? redisLog.down(err) : logger.warn({ err }, 'queue error')));
  const client = createUseapiClient({
    baseUrl: config.useapi.baseUrl,
    token: config.useapi.token ?? 'simulator',
    timeoutMs: config.useapi.timeoutMs,
    logger: logger.child({ component: 'useapi' }),
  });
  const deps = { config, database, redis, queue, logger, client, ...(opts.metrics ? { metrics: opts.metrics } : {}) };
  const app = await buildApp(deps);
  const address = await app.listen({ port: config.http.port, host: config.http.host });
  const callbacks = createCallbackDispatcher({
    db: database.db,
    config,
    logger: logger.child({ component: 'callbacks' }),
    secrets: createCallbackSecrets(database.db, config),
    render: createCallbackBodies(deps),
  });
  callbacks.start();
  return {
    app,
    address: address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1'),
    async close() {
      await callbacks.close();
      await app.close();
      await queue.close();
      redis.disconnect();
      await database.close();
    },
  };
}
