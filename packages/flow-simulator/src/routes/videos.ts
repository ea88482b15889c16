import type { FastifyPluginAsync } from 'fastify';
import { sendOutcome } from '../reply';
import type { Simulator } from '../simulator';

/**
 * `POST /videos`: async answers 201 at once; sync holds the request until the job is over.
 * `POST /videos/upscale` and `/videos/extend`: async jobs on the account that owns the source video.
 */
export const videoRoutes: FastifyPluginAsync<{ sim: Simulator }> = async (app, { sim }) => {
  app.post('/videos', async (request, reply) => sendOutcome(request, reply, await sim.submitVideo(request.body), sim.requestLog));
  app.post('/videos/upscale', async (request, reply) => sendOutcome(request, reply, sim.upscaleVideo(request.body), sim.requestLog));
  app.post('/videos/extend', async (request, reply) => sendOutcome(request, reply, sim.extendVideo(request.body), sim.requestLog));
};
