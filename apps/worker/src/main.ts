import { closeOnSignals, createLogger, loadConfig } from '@flowq/config';
import { migrateDatabase } from '@flowq/db';
import { startWorkerProcess } from './worker-process';

const config = loadConfig();
const logger = createLogger(config.log.level, { name: 'flowq-worker' });
await migrateDatabase(config.db.url);
const proc = await startWorkerProcess(config, logger);
logger.info({ concurrency: config.worker.concurrency, upstream: config.useapi.baseUrl }, 'flowq worker started');

closeOnSignals(logger, () => proc.close(), 'shutting down: finishing running steps');
