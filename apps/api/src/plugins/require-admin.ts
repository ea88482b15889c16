import { ForbiddenError } from '@flowq/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** An onRequest hook, after `apiKeyAuth`, that admits only admin keys: a 403 before the body is parsed or validated. */
export async function requireAdmin(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
  if (req.apiKeyIsAdmin !== true) throw new ForbiddenError('This route needs an admin API key');
}
