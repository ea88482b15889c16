import type { Logger } from '@flowq/config';
import type { FastifyRequest } from 'fastify';

/** The webhook path carries each job's callback secret: it never reaches a log line. */
export function redactUrl(url: string): string {
  return url.replace(/^(\/v1\/webhooks\/useapi\/[^/?#]*\/)[^/?#]+/, '$1[redacted]');
}

/**
 * The logger Fastify gets: its request line as Fastify writes it, but with secrets cut out
 * of the URL. Headers are never logged (Authorization is also redacted by createLogger).
 */
export function requestLogger(logger: Logger): Logger {
  return logger.child(
    {},
    {
      serializers: {
        req: (req: FastifyRequest) => ({
          method: req.method,
          url: redactUrl(req.url),
          host: req.host,
          remoteAddress: req.ip,
          remotePort: req.socket?.remotePort,
        }),
      },
    },
  );
}
