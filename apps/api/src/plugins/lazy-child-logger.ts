import type { FastifyBaseLogger } from 'fastify';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
const LEVELS: Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/**
 * Fastify's `childLoggerFactory`: each request's logger (`req.log`, with its `reqId`) is made
 * only when the request writes a line at a level the parent logs. Most requests write none,
 * and making a pino child with redaction configured re-reads every redact path (a fortieth of
 * the API's CPU per `POST /v1/jobs`). A child with options of its own (a route's log level or
 * serializers) is made at once, as Fastify would.
 */
export function lazyChildLogger(parent: FastifyBaseLogger, bindings: Record<string, unknown>, opts: object): FastifyBaseLogger {
  if (Object.keys(opts).length > 0) return parent.child(bindings, opts);
  let made: FastifyBaseLogger | undefined;
  const child = () => {
    made ??= parent.child(bindings);
    return made;
  };
  const enabled = (level: string) => enabledIn(parent, level);
  const logger = {
    get level() {
      return made ? made.level : parent.level;
    },
    set level(level: string) {
      child().level = level;
    },
    silent: (...args: unknown[]) => (child().silent as (...a: unknown[]) => void)(...args),
    child: (moreBindings: Record<string, unknown>, moreOpts?: object) => child().child(moreBindings, moreOpts),
    isLevelEnabled: (level: string) => (made ? enabledIn(made, level) : enabled(level)),
  } as Record<string, unknown>;
  for (const level of LEVELS) {
    logger[level] = (...args: unknown[]) => {
      // Once made, the child decides (its level may have been changed); before, the parent does.
      if (!made && !enabled(level)) return;
      (child()[level] as (...a: unknown[]) => void)(...args);
    };
  }
  return logger as unknown as FastifyBaseLogger;
}

/** pino's `isLevelEnabled`; a logger without it (not pino) is asked for every line. */
function enabledIn(logger: FastifyBaseLogger, level: string): boolean {
  const check = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return typeof check === 'function' ? check.call(logger, level) : true;
}
