import { createHash, timingSafeEqual } from 'node:crypto';
import { isTerminal } from '@flowq/core';
import type { FlowqMetrics } from '@flowq/metrics';
import { createAccountCache, jobSnapshotOf, takeUseapiCallback } from '@flowq/db';
import { CALLBACK_ROUTE, createSlotRelease, createWaitingRoom, leaveCallbackHint, wakeJob } from '@flowq/queue';
import { createAccountSlots, createSlotHandOn, handOnLimitsFrom } from '@flowq/scheduler';
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
  const accounts = createAccountCache(deps.database.db);
  const slotRelease = createSlotRelease({
    queue: deps.queue,
    waitingRoom,
    slots: createAccountSlots(deps.redis, { prefix }),
    tierOf: accounts.tierOf,
    handOn: { slots: createSlotHandOn(deps.redis, { prefix }), limitsOf: handOnLimitsFrom(accounts.rows) },
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
      const status = req.body.status ?? 'unknown';
      const upstreamJobId = req.body.jobid ?? req.body.jobId ?? null;
      const replyRef = req.body.request?.replyRef ?? null;
      // One statement reads the row and, only with the right secret for a job not ended yet,
      // writes what the callback teaches: a `submitting` job's pending attempt learns the upstream
      // jobid (its answer may never be written if its worker died: recovery then never pays for it
      // twice), and an end is recorded as a callback attempt. A replayed end callback of an ended
      // job adds no row.
      const row = await takeUseapiCallback(deps.database.db, { jobId, secret, status, upstreamJobId, replyRef });
      if (!row || !sameSecret(row.callbackSecret, secret)) {
        return reply.status(404).send({ error: { code: 'not_found', message: 'Unknown callback' } });
      }
      // The job has ended: nothing a callback says can change it.
      if (isTerminal(row.status)) return reply.status(200).send({ ok: true });
      // `created` and `started` change nothing else for flowq; only an end is worth a wake-up.
      if (status === 'completed' || status === 'failed') {
        // The generation is over upstream, so its account slot is free now: hand it to the next
        // waiting job at once rather than after the worker's confirming read. Only for the
        // upstream job we are following, with the right secret; the result still waits for that read.
        // The hint, left after the release, tells the worker whether the slot is already free (it
        // then does not release it again).
        const following = row.status === 'running' && upstreamJobId === row.upstreamJobId;
        const freed = following ? row.account : null;
        const slotFreed = freed ? await slotRelease.release(freed, jobId).catch(() => false) : false;
        // The hint is in place before the wake-up below: the woken step reads it. It carries the
        // row just read (running this upstream job), so the woken step need not read it again.
        const hint = { status, upstreamJobId, slotFreed, ...(following ? { row: jobSnapshotOf(row) } : {}) };
        await leaveCallbackHint(deps.redis, deps.config.redis.prefix, jobId, hint).catch(() => undefined);
        await wakeJob(deps.queue, waitingRoom, jobId).catch(() => undefined);
      }
      return reply.status(200).send({ ok: true });
    },
  );
};
