import { ServiceUnreachableError, unreachableMessage, type Logger } from '@flowq/config';
import { Redis } from 'ioredis';

/** Resolves once Redis at `url` answers a PING, or throws a ServiceUnreachableError after `waitMs`. */
export async function waitForRedis(url: string, opts: { waitMs: number; logger: Logger; retryMs?: number }): Promise<void> {
  const started = Date.now();
  let told = false;
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 3_000, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch (err) {
      probe.disconnect();
      // NOAUTH, a wrong password: Redis answered; whoever connects next reports what it said.
      if (/NOAUTH|WRONGPASS|ERR/.test((err as Error).message)) break;
      const waited = Date.now() - started;
      if (waited >= opts.waitMs) throw new ServiceUnreachableError('Redis', url, waited);
      if (!told) opts.logger.warn(`${unreachableMessage('Redis', url)}; waiting up to ${Math.round(opts.waitMs / 1000)} s`);
      told = true;
      await new Promise((r) => setTimeout(r, opts.retryMs ?? 500));
    }
  }
  if (told) opts.logger.info('Redis answers');
}
