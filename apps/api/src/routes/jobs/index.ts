import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { JobService } from '../../services/job-service';
import { jobView } from './job-view';
import { createJobBody, errorSchema, jobIdParams, jobListSchema, jobSchema, listJobsQuery } from './schemas';

export const jobRoutes: FastifyPluginAsyncZod<{ jobs: JobService }> = async (app, { jobs }) => {
  app.post(
    '/v1/jobs',
    {
      schema: {
        summary: 'Queue one video generation',
        tags: ['jobs'],
        body: createJobBody,
        response: { 202: jobSchema, 400: errorSchema, 401: errorSchema },
      },
    },
    async (req, reply) => {
      const { priority, metadata, ...request } = req.body;
      const row = await jobs.create({ request, priority, metadata, ...(req.apiKeyId ? { ownerKey: req.apiKeyId } : {}) });
      return reply.status(202).header('location', `/v1/jobs/${row.id}`).send(jobView(row));
    },
  );

  app.get(
    '/v1/jobs/:id',
    { schema: { summary: 'Read one job', tags: ['jobs'], params: jobIdParams, response: { 200: jobSchema, 404: errorSchema } } },
    async (req) => jobView(await jobs.get(req.params.id)),
  );

  app.get(
    '/v1/jobs',
    { schema: { summary: 'List jobs, newest first', tags: ['jobs'], querystring: listJobsQuery, response: { 200: jobListSchema } } },
    async (req) => {
      const page = await jobs.list(req.query);
      return { items: page.items.map(jobView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/jobs/:id/cancel',
    {
      schema: {
        summary: 'Cancel a job that has not ended (a running upstream generation is abandoned, not stopped)',
        tags: ['jobs'],
        params: jobIdParams,
        response: { 200: jobSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => jobView(await jobs.cancel(req.params.id)),
  );
};
