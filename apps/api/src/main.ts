import { createLogger, loadConfig } from '@flowq/config';
import { migrateDatabase } from '@flowq/db';
import { startApiServer } from './server';

const config = loadConfig();
const logger = createLogger(config.log.level, { name: 'flowq-api' });
await migrateDatabase(config.db.url);
const server = await startApiServer(config, logger);
logger.info({ address: server.address }, 'flowq api listening');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
