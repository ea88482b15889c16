/** Create the database if missing and apply every migration in drizzle/ (the compose "migrate" service). */
import { createProcessLogger, loadConfig } from '@flowq/config';
import { migrateDatabase } from '@flowq/db';

const config = loadConfig();
const logger = createProcessLogger(config.log, 'flowq-migrate');
await migrateDatabase(config.db.url);
logger.info('migrations applied');
