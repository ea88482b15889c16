import type { Logger } from 'pino';

/**
 * SIGTERM / SIGINT: run `close` (which waits for in-flight work and releases every resource),
 * then exit 0, or 1 if closing failed. Every flowq process ends this way.
 */
export function closeOnSignals(logger: Logger, close: () => Promise<void>, what = 'shutting down'): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, what);
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
