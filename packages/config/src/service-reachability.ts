import type { Logger } from 'pino';

export type BackingService = 'PostgreSQL' | 'Redis';

const VARIABLE: Record<BackingService, string> = { PostgreSQL: 'DATABASE_URL', Redis: 'REDIS_URL' };

/** `host:port` of a service URL, never its user or password. */
export function serviceAddress(url: string): string {
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol.startsWith('redis') ? '6379' : '5432');
    return `${u.hostname || '127.0.0.1'}:${port}`;
  } catch {
    return '(unreadable URL)';
  }
}

/** The one sentence a person reads when a backing service does not answer: what, where, and what to do. */
export function unreachableMessage(service: BackingService, url: string): string {
  return `${service} at ${serviceAddress(url)} is not reachable: start it or set ${VARIABLE[service]}; see README (Quick start)`;
}

/** A start gave up waiting for a service. Its message is the whole story; no stack is worth printing. */
export class ServiceUnreachableError extends Error {
  constructor(
    readonly service: BackingService,
    url: string,
    waitedMs: number,
  ) {
    super(`${unreachableMessage(service, url)} (waited ${Math.round(waitedMs / 1000)} s)`);
    this.name = 'ServiceUnreachableError';
  }
}

export interface ReachabilityLog {
  /** A connection error: logged once per outage, the rest only at debug level. */
  down(err: unknown): void;
  /** A connection is ready: logs the recovery once if the service was down. */
  up(): void;
  readonly isDown: boolean;
}

/**
 * One per service per process, shared by all its connections: a client that reconnects every
 * few hundred milliseconds must not print a stack trace each time, but a person must learn,
 * once, that the service is away and how to bring it back, and once that it is back.
 */
export function createReachabilityLog(service: BackingService, url: string, logger: Logger, now: () => number = Date.now): ReachabilityLog {
  let downSince: number | null = null;
  const address = serviceAddress(url);
  return {
    down(err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (downSince !== null) {
        logger.debug({ service, address, reason }, 'still not reachable');
        return;
      }
      downSince = now();
      logger.error({ service, address, reason }, unreachableMessage(service, url));
    },
    up() {
      if (downSince === null) return;
      logger.info({ service, address, downSeconds: Math.round((now() - downSince) / 1000) }, `${service} at ${address} is reachable again`);
      downSince = null;
    },
    get isDown() {
      return downSince !== null;
    },
  };
}
