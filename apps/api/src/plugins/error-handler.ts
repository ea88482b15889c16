import { STATUS_CODES } from 'node:http';
import { FlowqError, PayloadTooLargeError, ServiceUnavailableError, UnsupportedMediaTypeError, UriTooLongError, ValidationError } from '@flowq/core';
import { isDatabaseUnavailable } from '@flowq/db';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
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
 * Fastify's own 4xx (router, body parser) as one of flowq's errors. Their messages can quote
 * the request (the URL, a piece of malformed JSON, the content type), so none is passed on.
 */
export function frameworkError(err: FastifyError, bodyLimit: number): FlowqError {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLargeError(`body: is larger than the limit of ${bodyLimit} bytes`, 'body');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaTypeError('Content-Type: is not one this route accepts (send application/json)', 'Content-Type');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ValidationError('body: is not valid JSON', 'body');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ValidationError('body: is empty; send a JSON object', 'body');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ValidationError('Content-Length: does not match the body', 'Content-Length');
    case 'FST_ERR_BAD_URL':
      return new ValidationError('url: is not a valid URL (malformed percent-encoding)', 'url');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new UriTooLongError('url: a path segment is longer than the limit of 100 characters', 'url');
  }
  if (err.name === 'SyntaxError') return new ValidationError('body: is not valid JSON', 'body');
  const status = err.statusCode ?? 400;
  return new (class extends FlowqError {
    readonly code = (STATUS_CODES[status] ?? 'bad request').toLowerCase().replaceAll(/[^a-z]+/g, '_');
    readonly status = status;
  })(STATUS_CODES[status] ?? 'Bad request');
}

export function sendError(reply: FastifyReply, err: FlowqError) {
  return reply.status(err.status).send({ error: err.toJSON() });
}

/**
 * One place turns errors into answers, all in one envelope `{ error: { code, message, field? } }`:
 * FlowqErrors by their code and status, request validation as 400 naming the field, Fastify's
 * own 4xx (router and body parser included, see `frameworkErrors`) mapped to flowq's codes,
 * everything else a bare 500 (details stay in the log). No answer echoes the request.
 */
export function installErrorHandler(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    // Refused before the body was read to its end (a 413 at the row limit, a 401 before parsing):
    // the rest is read and dropped unparsed, so a client that sends its whole body before it
    // reads the answer gets the answer, and the socket is not left paused until a timeout.
    if (!req.raw.complete) req.raw.resume();
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
      return sendError(reply, err);
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return sendError(reply, frameworkError(err, bodyLimit));
    if (isDatabaseUnavailable(err)) {
      req.log.warn({ err: err.message }, 'postgres unavailable');
      const unavailable = new ServiceUnavailableError('database_unavailable', 'The database is unavailable; try again shortly');
      return reply.status(unavailable.status).header('retry-after', '5').send({ error: unavailable.toJSON() });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal_error', message: 'Internal server error' } });
  });
  app.setNotFoundHandler((_req, reply) => {
    reply.status(404).send({ error: { code: 'not_found', message: 'No such route (see /docs for the API)' } });
  });
}
