import { FlowqError, ServiceUnavailableError } from '@flowq/core';
import { isDatabaseUnavailable } from '@flowq/db';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

interface Issue {
  field: string;
  message: string;
}

function fieldOf(keyword: string, instancePath: string, params: unknown): string {
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.');
  const keys = (params as { keys?: string[] } | undefined)?.keys;
  if (keyword === 'unrecognized_keys' && keys?.length) return path ? `${path}.${keys[0]}` : keys[0]!;
  return path;
}

function messageOf(keyword: string, message: string): string {
  return keyword === 'unrecognized_keys' ? 'is not a known field' : message;
}

/**
 * One place turns errors into answers: FlowqErrors by their code and status, request
 * validation as 400 naming the field, everything else a bare 500 (details stay in the log).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues: Issue[] = err.validation.map((v) => {
        const field = fieldOf(v.keyword, v.instancePath, v.params);
        return { field, message: messageOf(v.keyword, v.message ?? 'is invalid') };
      });
      const first = issues[0] ?? { field: '', message: 'is invalid' };
      const where = err.validationContext === 'body' ? '' : `${err.validationContext} `;
      return reply.status(400).send({
        error: {
          code: 'validation_failed',
          message: `${where}${first.field || 'request'}: ${first.message}`,
          field: first.field,
          issues,
        },
      });
    }
    if (err instanceof FlowqError) {
      if (err.status >= 500) req.log.warn({ err }, 'request failed');
      return reply.status(err.status).send({ error: err.toJSON() });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own 4xx: malformed JSON, body too large, wrong content type.
      return reply.status(err.statusCode).send({ error: { code: (err.code ?? 'bad_request').toLowerCase(), message: err.message } });
    }
    if (isDatabaseUnavailable(err)) {
      req.log.warn({ err: err.message }, 'postgres unavailable');
      const unavailable = new ServiceUnavailableError('database_unavailable', 'The database is unavailable; try again shortly');
      return reply.status(unavailable.status).header('retry-after', '5').send({ error: unavailable.toJSON() });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal_error', message: 'Internal server error' } });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: { code: 'not_found', message: `Route ${req.method} ${req.url.split('?')[0]} not found` } });
  });
}
