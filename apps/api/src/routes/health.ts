import { unreachableMessage } from '@flowq/config';
import { tokenGateKey } from '@flowq/queue';
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
        (e: Error) => ['postgres', `${unreachableMessage('PostgreSQL', deps.config.db.url)} (${e.message})`] as const,
      ),
      within(2_000, deps.redis.ping()).then(
        () => ['redis', 'ok'] as const,
        (e: Error) => ['redis', `${unreachableMessage('Redis', deps.config.redis.url)} (${e.message})`] as const,
      ),
    ]);
    const result: Record<string, string> = Object.fromEntries(checks);
    // Jobs never fail because of a refused token, but nothing is dispatched either: say so.
    const refused = result.redis === 'ok' ? await deps.redis.get(tokenGateKey(deps.config.redis.prefix)).catch(() => null) : null;
    result.useapi = refused ? `token refused by useapi, dispatch paused: ${refused}` : 'ok';
    const ok = Object.values(result).every((v) => v === 'ok');
    return reply.status(ok ? 200 : 503).send({ ok, checks: result });
  });
};
