import type { Logger } from 'pino';

/** After this long, a shutdown still waiting says what it waits on (and keeps waiting: steps may be long). */
const SLOW_SHUTDOWN_MS = 20_000;

/**
 * SIGTERM / SIGINT: run `close` (which waits for in-flight work and releases every resource),
 * then exit 0, or 1 if closing failed. Every flowq process ends this way.
 */
export function closeOnSignals(logger: Logger, close: () => Promise<void>, what = 'shutting down'): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, what);
      const slow = setInterval(
        () => logger.warn({ signal, waitingOn: process.getActiveResourcesInfo() }, 'still shutting down: waiting on these handles'),
        SLOW_SHUTDOWN_MS,
      );
      slow.unref();
      close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}
