import { createHash, timingSafeEqual } from 'node:crypto';
import basicAuth from '@fastify/basic-auth';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { Queue } from 'bullmq';
import { UnauthorizedError } from '@flowq/core';
import type { Redis } from 'ioredis';
import { createLoginThrottle } from './login-throttle';
import { RateLimitedError } from './rate-limit';
import { registerSecurityHeaders } from './security-headers';

export const BULL_BOARD_PATH = '/admin/queues';

function same(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * Bull Board at /admin/queues behind basic auth; its basePath must equal the route prefix.
 * Wrong passwords are throttled per client address (login-throttle.ts): past the limit every
 * request from that address is a 429 with Retry-After until the window ends, right or wrong.
 */
export async function registerBullBoard(
  app: FastifyInstance,
  queues: Queue[],
  opts: { user: string; password: string; redis: Redis; prefix: string },
): Promise<void> {
  const { user, password } = opts;
  const throttle = createLoginThrottle(opts.redis, opts.prefix);
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter, options: { uiConfig: { boardTitle: 'flowq' } } });
  await app.register(async (scope) => {
    await scope.register(basicAuth, {
      authenticate: { realm: 'flowq admin' },
      validate: async (u, p, req) => {
        const ok = same(u, user) && same(p, password);
        if (!ok) {
          await throttle.recordFailure(req.ip);
          throw new UnauthorizedError('Invalid credentials');
        }
      },
    });
    scope.addHook('onRequest', async (req, reply) => {
      const wait = await throttle.retryAfterSeconds(req.ip);
      if (wait > 0) {
        // Sent here, not thrown: Bull Board's routes have their own error handler.
        const err = new RateLimitedError(`Too many failed logins: at most ${throttle.max} a minute per address; try again in ${wait} s`);
        return reply.status(err.status).header('retry-after', String(wait)).send({ error: err.toJSON() });
      }
    });
    scope.addHook('onRequest', scope.basicAuth);
    await registerSecurityHeaders(scope, { csp: true });
    await scope.register(serverAdapter.registerPlugin() as never, { prefix: BULL_BOARD_PATH });
  });
}
