import { ServiceUnreachableError, unreachableMessage, type Logger } from '@flowq/config';
import pg from 'pg';
import { isDatabaseUnavailable } from './connection-errors';

/**
 * Resolves once PostgreSQL at `url` answers, or throws a ServiceUnreachableError after `waitMs`.
 * Only an unreachable server is waited for: a missing database or a wrong password is an
 * answer, and whoever connects next reports it.
 */
export async function waitForPostgres(url: string, opts: { waitMs: number; logger: Logger; retryMs?: number }): Promise<void> {
  const started = Date.now();
  let told = false;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      break;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (!isDatabaseUnavailable(err)) break;
      const waited = Date.now() - started;
      if (waited >= opts.waitMs) throw new ServiceUnreachableError('PostgreSQL', url, waited);
      if (!told) opts.logger.warn(`${unreachableMessage('PostgreSQL', url)}; waiting up to ${Math.round(opts.waitMs / 1000)} s`);
      told = true;
      await new Promise((r) => setTimeout(r, opts.retryMs ?? 500));
    }
  }
  if (told) opts.logger.info('PostgreSQL answers');
}
