/** Create the database if missing and apply every migration in drizzle/ (the compose "migrate" service). */
import { createLogger, loadConfig } from '@flowq/config';
import { migrateDatabase } from '@flowq/db';

const config = loadConfig();
const logger = createLogger(config.log.level, { name: 'flowq-migrate' });
await migrateDatabase(config.db.url);
logger.info('migrations applied');
