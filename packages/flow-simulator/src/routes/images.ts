import type { FastifyPluginAsync } from 'fastify';
import { sendOutcome } from '../reply';
import type { Simulator } from '../simulator';

/** `POST /images`: synchronous, the request is held until the images are made (10-20 s upstream). */
export const imageRoutes: FastifyPluginAsync<{ sim: Simulator }> = async (app, { sim }) => {
  app.post('/images', async (request, reply) => sendOutcome(request, reply, await sim.submitImage(request.body), sim.requestLog));
};
