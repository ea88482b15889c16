import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../deps';

async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));

  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const checks = await Promise.all([
      within(2_000, deps.database.pool.query('select 1')).then(
        () => ['postgres', 'ok'] as const,
        (e: Error) => ['postgres', e.message] as const,
      ),
      within(2_000, deps.redis.ping()).then(
        () => ['redis', 'ok'] as const,
        (e: Error) => ['redis', e.message] as const,
      ),
    ]);
    const result = Object.fromEntries(checks);
    const ok = checks.every(([, v]) => v === 'ok');
    return reply.status(ok ? 200 : 503).send({ ok, checks: result });
  });
};
