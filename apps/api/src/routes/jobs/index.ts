import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { checkCallbackUrl, type CallbackUrlCheck } from '../../callbacks/callback-url';
import { deliveryView } from '../../callbacks/delivery-view';
import { ownerScope } from '../../plugins/api-key-auth';
import { idempotencyKeyOf, requestFingerprint } from '../../services/idempotency-fingerprint';
import type { IdempotencyService } from '../../services/idempotency-service';
import type { JobService } from '../../services/job-service';
import type { ImageService } from '../../images/image-service';
import type { MediaLinks } from '../../media/media-links';
import { jobSerializerFor } from './job-serializer';
import { jobView } from './job-view';
import { callbackDeliveryListSchema, createJobBody, errorSchema, jobBudgetBody, jobIdParams, jobListSchema, jobSchema, listJobsQuery } from './schemas';

export const jobRoutes: FastifyPluginAsyncZod<{
  jobs: JobService;
  idempotency: IdempotencyService;
  callbackUrls: CallbackUrlCheck;
  links: MediaLinks;
  images: ImageService;
}> = async (app, { jobs, idempotency, callbackUrls, links, images }) => {
  app.post(
    '/v1/jobs',
    {
      schema: {
        summary:
          'Queue one job: a video (default), images (`kind: "image"`), or an upscale or extend of a finished clip (`kind: "upscale" | "extend"`, `source`)',
        tags: ['jobs'],
        body: createJobBody,
        response: { 202: jobSchema, 400: errorSchema, 401: errorSchema, 409: errorSchema, 429: errorSchema },
      },
      // The hottest answer of the API: compiled once instead of encoded through zod per request.
      serializerCompiler: jobSerializerFor('202'),
    },
    async (req, reply) => {
      const { priority, metadata, callbackUrl, maxCredits, kind = 'video', ...request } = req.body;
      const ownerKey = req.apiKeyId ?? null;
      const checkedCallbackUrl = callbackUrl === undefined ? null : await checkCallbackUrl(callbackUrl, { ownerKey, ...callbackUrls });
      const create = async () => {
        // Inside the idempotent part: a replay answers the job without fetching its image URLs again.
        const resolved = await images.resolveJobImages(kind, request, ownerKey ?? '');
        const row = await jobs.create({
          kind,
          request: resolved,
          priority,
          metadata,
          maxCredits,
          callbackUrl: checkedCallbackUrl,
          ...(ownerKey ? { ownerKey } : {}),
        });
        return { status: 202, body: jobView(row, links) };
      };
      const key = idempotencyKeyOf(req);
      const answer = key
        ? await idempotency.run({
            ownerKey: req.apiKeyId ?? '',
            key,
            requestHash: requestFingerprint('POST /v1/jobs', req.body).digest('hex'),
            execute: create,
          })
        : { ...(await create()), replayed: false };
      if (answer.replayed) reply.header('idempotent-replayed', 'true');
      return reply
        .status(answer.status as 202)
        .header('location', `/v1/jobs/${answer.body.id}`)
        .send(answer.body);
    },
  );

  app.get(
    '/v1/jobs/:id',
    { schema: { summary: 'Read one job', tags: ['jobs'], params: jobIdParams, response: { 200: jobSchema, 404: errorSchema } } },
    async (req) => {
      const row = await jobs.get(req.params.id, ownerScope(req));
      const followUps = await jobs.followUps(row.id);
      return { ...jobView(row, links), ...(followUps.length > 0 ? { followUps } : {}) };
    },
  );

  app.get(
    '/v1/jobs',
    { schema: { summary: 'List jobs, newest first', tags: ['jobs'], querystring: listJobsQuery, response: { 200: jobListSchema } } },
    async (req) => {
      const owner = ownerScope(req);
      const page = await jobs.list({ ...req.query, ...(owner !== undefined ? { ownerKey: owner } : {}) });
      return { items: page.items.map((row) => jobView(row, links)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/jobs/:id/deliveries',
    {
      schema: {
        summary: "The job's client callbacks (callbackUrl) and every attempt to deliver them",
        tags: ['jobs'],
        params: jobIdParams,
        response: { 200: callbackDeliveryListSchema, 404: errorSchema },
      },
    },
    async (req) => ({ items: (await jobs.deliveries(req.params.id, ownerScope(req))).map(deliveryView) }),
  );

  app.patch(
    '/v1/jobs/:id',
    {
      schema: {
        summary: "Set or remove the job's budget (maxCredits); a job waiting over_budget is checked again",
        tags: ['jobs'],
        params: jobIdParams,
        body: jobBudgetBody,
        response: { 200: jobSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => jobView(await jobs.setBudget(req.params.id, req.body.maxCredits, ownerScope(req)), links),
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
    async (req) => jobView(await jobs.cancel(req.params.id, ownerScope(req)), links),
  );
};
