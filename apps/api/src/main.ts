import { closeOnSignals, createProcessLogger, loadConfig, ServiceUnreachableError } from '@flowq/config';
import { migrateDatabase, waitForPostgres } from '@flowq/db';
import { waitForRedis } from '@flowq/queue';
import { startApiServer } from './server';

const config = loadConfig();
const logger = createProcessLogger(config.log, 'flowq-api');
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
const server = await startApiServer(config, logger);
logger.info({ address: server.address }, 'flowq api listening');

closeOnSignals(logger, () => server.close(), 'shutting down');
