/**
 * pino `redact` paths that keep the useapi token (and other secrets flowq handles: webhook
 * secrets, account cookies) out of logs. pino matches each path exactly, with `*` standing for one
 * level, hence the repetition at the top level and one level down.
 */
export const REDACT_PATHS: string[] = [
  'authorization',
  'headers.authorization',
  'headers.Authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.Authorization',
  'req.headers.cookie',
  'request.headers.authorization',
  'request.headers.Authorization',
  'res.headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.Authorization',
  'token',
  '*.token',
  'useapiToken',
  '*.useapiToken',
  'apiKey',
  '*.apiKey',
  'api_key',
  '*.api_key',
  'secret',
  '*.secret',
  'webhookSecret',
  '*.webhookSecret',
  'password',
  '*.password',
  'cookies',
  '*.cookies',
];

export const REDACT_CENSOR = '[REDACTED]';

/** Ready to spread into `pino({ redact })`. */
export const redactOptions = { paths: REDACT_PATHS, censor: REDACT_CENSOR };
