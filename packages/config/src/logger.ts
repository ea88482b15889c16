import pino, { type Logger, type LoggerOptions } from 'pino';

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
];

export function createLogger(level: string, options: LoggerOptions = {}, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' }, ...options }, destination as pino.DestinationStream);
}

export type { Logger };
