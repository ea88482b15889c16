import type { FastifyPluginAsync } from 'fastify';
import { sendOutcome } from '../reply';
import type { Simulator } from '../simulator';

/** `POST /videos`: async answers 201 at once; sync holds the request until the job is over. */
export const videoRoutes: FastifyPluginAsync<{ sim: Simulator }> = async (app, { sim }) => {
  app.post('/videos', async (request, reply) => sendOutcome(request, reply, await sim.submitVideo(request.body)));
};
