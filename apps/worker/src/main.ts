import { createLogger, loadConfig } from '@flowq/config';
import { migrateDatabase } from '@flowq/db';
import { startWorkerProcess } from './worker-process';

const config = loadConfig();
const logger = createLogger(config.log.level, { name: 'flowq-worker' });
await migrateDatabase(config.db.url);
const proc = await startWorkerProcess(config, logger);
logger.info({ concurrency: config.worker.concurrency, upstream: config.useapi.baseUrl }, 'flowq worker started');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down: finishing running steps');
    proc.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
