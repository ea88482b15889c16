import pino, { type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

/**
 * Paths pino blanks out in every log line. The useapi token and flowq API keys travel in
 * Authorization headers and in config objects; neither may ever reach a log.
 */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers["idempotency-key"]',
  'headers.authorization',
  'headers.Authorization',
  'authorization',
  'token',
  'apiKey',
  'apiKeys',
  '*.token',
  '*.apiKey',
  '*.apiKeys',
  '*.authorization',
  'config.useapi.token',
  'config.auth.apiKeys',
  'config.bullBoard.password',
  'config.metrics.token',
];

export function createLogger(level: string, options: LoggerOptions = {}, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' }, ...options }, destination as pino.DestinationStream);
}

/** `auto` means pretty for a person at a terminal, JSON for everything that reads logs by machine. */
export function wantsPrettyLogs(format: 'auto' | 'pretty' | 'json', stdoutIsTty: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && stdoutIsTty);
}

/**
 * The logger of a flowq process: JSON lines on stdout, or colored one-line messages when a
 * person reads them (pino-pretty in the same thread, so a crash never loses the last lines).
 */
export function createProcessLogger(log: { level: string; format: 'auto' | 'pretty' | 'json' }, name: string): Logger {
  if (!wantsPrettyLogs(log.format, Boolean(process.stdout.isTTY))) return createLogger(log.level, { name });
  const stream = pretty({ colorize: Boolean(process.stdout.isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true });
  return createLogger(log.level, { name }, stream);
}

export type { Logger };
