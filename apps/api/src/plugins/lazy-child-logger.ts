import type { FastifyBaseLogger } from 'fastify';

type Bindings = Record<string, unknown>;
type LogFn = (...args: unknown[]) => void;

/**
 * A request's logger that makes its pino child on the first line written at a level the
 * parent logs (a class, so a request allocates one object and no closures).
 */
class LazyChild {
  #made: FastifyBaseLogger | undefined;
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;

  constructor(parent: FastifyBaseLogger, bindings: Bindings) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  #child(): FastifyBaseLogger {
    this.#made ??= this.#parent.child(this.#bindings);
    return this.#made;
  }

  #write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', args: unknown[]): void {
    // Once made, the child decides (its level may have been changed); before, the parent does.
    if (!this.#made && !enabledIn(this.#parent, level)) return;
    (this.#child()[level] as LogFn)(...args);
  }

  get level(): string {
    return (this.#made ?? this.#parent).level;
  }
  set level(level: string) {
    this.#child().level = level;
  }
  isLevelEnabled(level: string): boolean {
    return enabledIn(this.#made ?? this.#parent, level);
  }
  child(bindings: Bindings, opts?: object): FastifyBaseLogger {
    return this.#child().child(bindings, opts);
  }
  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  silent(...args: unknown[]): void {
    (this.#child().silent as LogFn)(...args);
  }
}

/**
 * Fastify's `childLoggerFactory`: each request's logger (`req.log`, with its `reqId`) is made
 * only when the request writes a line at a level the parent logs. Most requests write none,
 * and making a pino child with redaction configured re-reads every redact path (a fortieth of
 * the API's CPU per `POST /v1/jobs`). A child with options of its own (a route's log level or
 * serializers) is made at once, as Fastify would.
 */
export function lazyChildLogger(parent: FastifyBaseLogger, bindings: Bindings, opts: object): FastifyBaseLogger {
  for (const _ in opts) return parent.child(bindings, opts);
  return new LazyChild(parent, bindings) as unknown as FastifyBaseLogger;
}

/** pino's `isLevelEnabled`; a logger without it (not pino) is asked for every line. */
function enabledIn(logger: FastifyBaseLogger, level: string): boolean {
  const check = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return typeof check === 'function' ? check.call(logger, level) : true;
}
