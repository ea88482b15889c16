import { closeOnSignals, createLogger, loadConfig } from '@flowq/config';
import { migrateDatabase } from '@flowq/db';
import { startApiServer } from './server';

const config = loadConfig();
const logger = createLogger(config.log.level, { name: 'flowq-api' });
await migrateDatabase(config.db.url);
const server = await startApiServer(config, logger);
logger.info({ address: server.address }, 'flowq api listening');

closeOnSignals(logger, () => server.close(), 'shutting down');
