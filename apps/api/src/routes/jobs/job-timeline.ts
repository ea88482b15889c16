import { jobTimeline, type Database } from '@flowq/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ownerScope } from '../../plugins/api-key-auth';
import type { JobService } from '../../services/job-service';
import { errorSchema, jobIdParams } from './schemas';

const iso = z.string().nullable();
const timelineSchema = z.object({
  attempts: z.array(
    z.object({
      at: z.string(),
      kind: z.string(),
      account: z.string().nullable(),
      statusCode: z.number().nullable(),
      outcome: z.string().nullable(),
      reason: z.string().nullable(),
      durationMs: z.number().nullable(),
    }),
  ),
  accountEvents: z.array(
    z.object({
      at: z.string(),
      account: z.string(),
      kind: z.string(),
      fromState: z.string().nullable(),
      toState: z.string().nullable(),
      reason: z.string().nullable(),
      until: iso,
    }),
  ),
});

/** `GET /v1/jobs/:id/timeline`: every call made for the job and what happened to its accounts meanwhile (the console's job page). */
export const jobTimelineRoutes: FastifyPluginAsyncZod<{ jobs: JobService; database: Database }> = async (app, { jobs, database }) => {
  app.get(
    '/v1/jobs/:id/timeline',
    {
      schema: {
        summary: "A job's attempts (submissions, status reads, callbacks) and its accounts' events, oldest first",
        tags: ['jobs'],
        params: jobIdParams,
        response: { 200: timelineSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const job = await jobs.get(req.params.id, ownerScope(req));
      const t = await jobTimeline(database.db, job);
      return {
        attempts: t.attempts.map((a) => ({
          at: a.startedAt.toISOString(),
          kind: a.kind,
          account: a.account,
          statusCode: a.statusCode,
          outcome: a.outcome,
          reason: a.reason,
          durationMs: a.durationMs,
        })),
        accountEvents: t.accountEvents.map((e) => ({
          at: e.at.toISOString(),
          account: e.email,
          kind: e.kind,
          fromState: e.fromState,
          toState: e.toState,
          reason: e.reason,
          until: e.until?.toISOString() ?? null,
        })),
      };
    },
  );
};
