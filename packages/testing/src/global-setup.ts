import { prepareTemplate, resolveTestServices } from './services';

/** vitest global setup: find or start Postgres and Redis, migrate the template once, share the URLs. */
export async function setupTestServices(): Promise<() => Promise<void>> {
  const services = await resolveTestServices();
  process.env.DATABASE_URL = services.databaseUrl;
  process.env.REDIS_URL = services.redisUrl;
  await prepareTemplate(services.databaseUrl);
  return () => services.stop();
}
