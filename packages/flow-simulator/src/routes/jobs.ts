import type { FastifyPluginAsync } from 'fastify';
import { sendOutcome } from '../reply';
import type { Simulator } from '../simulator';

export const jobRoutes: FastifyPluginAsync<{ sim: Simulator }> = async (app, { sim }) => {
  app.get<{ Querystring: { options?: string; email?: string } }>('/jobs', async (request, reply) =>
    sendOutcome(request, reply, sim.listJobs({ options: request.query.options, email: request.query.email })),
  );

  // The jobid holds ':' and '@' and must arrive as sent; the router would decode params, so
  // the raw URL is read instead.
  app.get('/jobs/*', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    const rawJobId = path.slice(path.indexOf('/jobs/') + '/jobs/'.length);
    return sendOutcome(request, reply, sim.getJob(rawJobId));
  });
};
