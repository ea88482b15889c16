import { createHash, timingSafeEqual } from 'node:crypto';
import { isTerminal } from '@flowq/core';
import type { FlowqMetrics } from '@flowq/metrics';
import { createAccountCache, findJob, noteCallbackJobId, recordAttempt } from '@flowq/db';
import { CALLBACK_ROUTE, createSlotRelease, createWaitingRoom, leaveCallbackHint, wakeJob } from '@flowq/queue';
import { createAccountSlots } from '@flowq/scheduler';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDeps } from '../../deps';

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

const callbackBody = z
  .object({
    jobid: z.string().optional(),
    jobId: z.string().optional(),
    status: z.string().optional(),
    request: z
      .looseObject({ replyRef: z.string().max(64).optional() })
      .optional()
      .catch(undefined),
  })
  .loose();

/** What the API made of a callback, from its answer: a bounded label. */
export function callbackResult(status: number): 'accepted' | 'rejected' | 'invalid' | 'error' {
  if (status < 300) return 'accepted';
  if (status === 404) return 'rejected';
  if (status < 500) return 'invalid';
  return 'error';
}

/**
 * A callback is a hint, never the truth: it is recorded and wakes the worker, which reads
 * `GET /jobs/{jobid}` itself before it marks anything done. A forged or replayed callback
 * therefore changes no job; an unknown job or a wrong secret is a plain 404.
 */
export const useapiCallbackRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps; metrics: FlowqMetrics }> = async (app, { deps, metrics }) => {
  app.addHook('onResponse', async (_req, reply) => {
    metrics.callbackDeliveries.inc({ result: callbackResult(reply.statusCode) });
  });
  const prefix = deps.config.redis.prefix;
  const waitingRoom = createWaitingRoom(deps.redis, prefix);
  // The same release and hand-on as the worker's, so a freed slot is refilled whoever frees it.
  const slotRelease = createSlotRelease({
    queue: deps.queue,
    waitingRoom,
    slots: createAccountSlots(deps.redis, { prefix }),
    tierOf: createAccountCache(deps.database.db).tierOf,
  });

  app.post(
    CALLBACK_ROUTE,
    {
      schema: {
        hide: true,
        params: z.object({ jobId: z.string().max(64), secret: z.string().max(128) }),
        body: callbackBody,
      },
    },
    async (req, reply) => {
      const { jobId, secret } = req.params;
      const row = await findJob(deps.database.db, jobId);
      if (!row || !sameSecret(row.callbackSecret, secret)) {
        return reply.status(404).send({ error: { code: 'not_found', message: 'Unknown callback' } });
      }
      // The job has ended: nothing a callback says can change it, so it is acknowledged and
      // left unrecorded (a replayed end callback would otherwise add an attempt row each time).
      if (isTerminal(row.status)) return reply.status(200).send({ ok: true });
      const status = req.body.status ?? 'unknown';
      const upstreamJobId = req.body.jobid ?? req.body.jobId ?? null;
      const replyRef = req.body.request?.replyRef ?? null;
      // The submit's answer is not written yet (or never will be: its worker died): any callback
      // tells which upstream job that submission made, so recovery never pays for it twice.
      if (row.status === 'submitting' && replyRef && upstreamJobId) {
        await noteCallbackJobId(deps.database.db, jobId, replyRef, upstreamJobId);
      }
      // `created` and `started` change nothing else for flowq; only an end is worth a write and a wake-up.
      if (status === 'completed' || status === 'failed') {
        // The generation is over upstream, so its account slot is free now: hand it to the next
        // waiting job at once rather than after the worker's confirming read. Only for the
        // upstream job we are following, with the right secret; the result still waits for that read.
        // The three writes are independent, so they go together: the freed slot is handed on
        // without waiting for the attempt row.
        const freed = row.status === 'running' && upstreamJobId === row.upstreamJobId ? row.account : null;
        await Promise.all([
          recordAttempt(deps.database.db, {
            jobId,
            kind: 'callback',
            account: row.account,
            outcome: status,
            upstreamJobId,
            startedAt: new Date(),
            detail: replyRef ? { replyRef } : null,
          }),
          // The hint is in place before the wake-up below: the woken step reads it.
          leaveCallbackHint(deps.redis, deps.config.redis.prefix, jobId, status).catch(() => undefined),
          freed ? slotRelease.release(freed, jobId).catch(() => undefined) : undefined,
        ]);
        await wakeJob(deps.queue, waitingRoom, jobId).catch(() => undefined);
      }
      return reply.status(200).send({ ok: true });
    },
  );
};
