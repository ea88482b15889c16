import { closeOnSignals, createProcessLogger, loadConfig, ServiceUnreachableError } from '@flowq/config';
import { migrateDatabase, waitForPostgres } from '@flowq/db';
import { waitForRedis } from '@flowq/queue';
import { startWorkerProcess } from './worker-process';

const config = loadConfig();
const logger = createProcessLogger(config.log, 'flowq-worker');
try {
  await Promise.all([
    waitForPostgres(config.db.url, { waitMs: config.services.waitMs, logger }),
    waitForRedis(config.redis.url, { waitMs: config.services.waitMs, logger }),
  ]);
} catch (err) {
  if (!(err instanceof ServiceUnreachableError)) throw err;
  logger.fatal(err.message);
  process.exit(1);
}
await migrateDatabase(config.db.url);
const proc = await startWorkerProcess(config, logger);
logger.info({ concurrency: config.worker.concurrency, upstream: config.useapi.baseUrl, metrics: proc.metricsUrl }, 'flowq worker started');

closeOnSignals(logger, () => proc.close(), 'shutting down: finishing running steps');
