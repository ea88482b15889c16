import type { FastifyPluginAsync } from 'fastify';
import type { Simulator } from '../simulator';

/** Signed media URLs: no bearer token, the signature in the query is the credential. */
export const mediaRoutes: FastifyPluginAsync<{ sim: Simulator }> = async (app, { sim }) => {
  app.get<{ Params: { file: string }; Querystring: { expires?: string; gen?: string; sig?: string } }>('/media/:file', async (request, reply) => {
    const answer = sim.media(request.params.file, request.query);
    return reply.code(answer.status).type(answer.contentType).send(answer.body);
  });
};
