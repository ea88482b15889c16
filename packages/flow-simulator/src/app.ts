import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { LoggerOptions } from 'pino';
import { accountRoutes } from './routes/accounts';
import { assetRoutes } from './routes/assets';
import { controlRoutes } from './routes/control';
import { jobRoutes } from './routes/jobs';
import { mediaRoutes } from './routes/media';
import { imageRoutes } from './routes/images';
import { videoRoutes } from './routes/videos';
import type { Simulator } from './simulator';
import { MESSAGES } from './upstream-errors';

export const API_PREFIX = '/v1/google-flow';
export const CONTROL_PREFIX = '/_sim';

/** Builds the HTTP face of a simulator; listening is `server.ts`'s business. */
export function buildApp(sim: Simulator, opts: { logger: false | LoggerOptions; baseUrl: () => string }): FastifyInstance {
  const app = Fastify({ logger: opts.logger === false ? false : opts.logger });
  app.decorateRequest('simNote', null);

  app.addHook('onResponse', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (path.startsWith(CONTROL_PREFIX)) return;
    const note = request.simNote ?? {};
    sim.requestLog.add({ at: Date.now(), method: request.method, path, status: reply.statusCode, ...note });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413 && request.url.includes('/assets')) return reply.code(400).send({ error: 'Image exceeds the 20 MB limit' });
    if (status >= 500) request.log.error({ err: error }, 'simulator error');
    return reply.code(status).send({ error: status >= 500 ? 'Internal Server Error' : error.message });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `Route ${request.method} ${request.url.split('?')[0]} not found` }));

  app.register(
    async (api) => {
      api.addHook('onRequest', async (request, reply) => {
        if (!sim.authorize(request.headers.authorization)) return reply.code(401).send({ error: MESSAGES.unauthorized });
      });
      await api.register(videoRoutes, { sim });
      await api.register(imageRoutes, { sim });
      await api.register(jobRoutes, { sim });
      await api.register(accountRoutes, { sim });
      await api.register(assetRoutes, { sim });
    },
    { prefix: API_PREFIX },
  );
  app.register(mediaRoutes, { sim });
  app.register(controlRoutes, { prefix: CONTROL_PREFIX, sim, baseUrl: opts.baseUrl });
  return app;
}
