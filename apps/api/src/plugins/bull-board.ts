import { createHash, timingSafeEqual } from 'node:crypto';
import basicAuth from '@fastify/basic-auth';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { Queue } from 'bullmq';
import { registerSecurityHeaders } from './security-headers';

export const BULL_BOARD_PATH = '/admin/queues';

function same(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Bull Board at /admin/queues behind basic auth; its basePath must equal the route prefix. */
export async function registerBullBoard(app: FastifyInstance, queues: Queue[], user: string, password: string): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter, options: { uiConfig: { boardTitle: 'flowq' } } });
  await app.register(async (scope) => {
    await scope.register(basicAuth, {
      authenticate: { realm: 'flowq admin' },
      validate: async (u, p) => {
        const ok = same(u, user) && same(p, password);
        if (!ok) throw new Error('Invalid credentials');
      },
    });
    scope.addHook('onRequest', scope.basicAuth);
    await registerSecurityHeaders(scope, { csp: true });
    await scope.register(serverAdapter.registerPlugin() as never, { prefix: BULL_BOARD_PATH });
  });
}
