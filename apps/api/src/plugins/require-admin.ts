import { ForbiddenError } from '@flowq/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A preHandler, after `apiKeyAuth`, that admits only admin keys. */
export async function requireAdmin(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
  if (req.apiKeyIsAdmin !== true) throw new ForbiddenError('This route needs an admin API key');
}
