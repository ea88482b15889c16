import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { IMAGE_MODEL_IDS, VIDEO_MODEL_IDS } from '@flowq/core';
import { faultControls, inspectJob, logView } from '../control';
import { SIM_ENDPOINTS, SUBMIT_FAULT_KINDS } from '../faults';
import type { Simulator } from '../simulator';

const submitFaultBody = z.object({
  kind: z.enum(SUBMIT_FAULT_KINDS),
  count: z.number().int().min(1).optional(),
  email: z.string().optional(),
  model: z.enum([...VIDEO_MODEL_IDS, ...IMAGE_MODEL_IDS]).optional(),
  endpoint: z.enum(SIM_ENDPOINTS).optional(),
  retryAfterSec: z.number().min(0).optional(),
});
const accountBody = z.object({
  state: z.enum(['ok', 'needs_reauth', 'no_credits']).optional(),
  credits: z.number().int().optional(),
  maxConcurrent: z.number().int().min(0).optional(),
  maxConcurrentImages: z.number().int().min(0).optional(),
});
const callbacksBody = z.object({
  mode: z.enum(['deliver', 'drop', 'delay']).optional(),
  delayMs: z.number().int().min(0).optional(),
  duplicate: z.boolean().optional(),
  dropRate: z.number().min(0).max(1).optional(),
});
const tokenBody = z.object({ valid: z.boolean() });
const expireBody = z.object({ jobid: z.string().optional() }).optional();
const shapeBody = z.object({ shape: z.enum(['operations', 'media', 'both', 'mixed']) });

/**
 * `/_sim/...`: fault injection and inspection over HTTP for tests that run the simulator in
 * another process. No auth, not in the request log.
 */
export const controlRoutes: FastifyPluginAsync<{ sim: Simulator; baseUrl: () => string }> = async (app, { sim, baseUrl }) => {
  const faults = faultControls(sim);
  const log = logView(sim);

  /** Parses a body with `schema`, runs `action`, answers `{ ok: true, ...result }` or a 400. */
  const handle = <S extends z.ZodType>(schema: S, body: unknown, reply: FastifyReply, action: (input: z.output<S>) => object | void) => {
    const parsed = schema.safeParse(body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: z.prettifyError(parsed.error) });
    try {
      return reply.send({ ok: true, ...(action(parsed.data) ?? {}) });
    } catch (err) {
      return reply.code(400).send({ error: err instanceof Error ? err.message : String(err) });
    }
  };

  app.get('/state', async () => ({
    seed: sim.options.seed,
    baseUrl: baseUrl(),
    tokenValid: sim.tokenValid,
    responseShape: sim.responseShape,
    callbacks: sim.callbacks.settings,
    submitFaults: faults.pendingSubmitFaults(),
    accounts: log.accountStats(),
  }));
  app.get<{ Querystring: { prompt?: string } }>('/log', async (request) => {
    const entries = request.query.prompt === undefined ? log.entries() : log.submissionsFor(request.query.prompt);
    return { entries, byStatus: log.countByStatus() };
  });
  app.get('/callbacks', async () => ({ attempts: log.callbacks() }));
  app.get('/jobs/*', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    let jobid = path.slice(path.indexOf('/jobs/') + '/jobs/'.length);
    try {
      jobid = decodeURIComponent(jobid);
    } catch {
      // a malformed escape: look the id up as sent
    }
    const job = inspectJob(sim, jobid);
    return job ? job : reply.code(404).send({ error: 'not found' });
  });

  app.post('/reset', async (_request, reply) => {
    sim.reset();
    return reply.send({ ok: true });
  });
  app.post('/log/reset', async (_request, reply) => {
    log.reset();
    return reply.send({ ok: true });
  });
  app.post('/faults/reset', async (_request, reply) => {
    faults.reset();
    return reply.send({ ok: true });
  });
  app.post('/faults/submits', async (request, reply) =>
    handle(submitFaultBody, request.body, reply, (fault) => {
      faults.failNextSubmits(fault);
      return { pending: faults.pendingSubmitFaults() };
    }),
  );
  app.delete('/faults/submits', async (_request, reply) => {
    faults.clearSubmitFaults();
    return reply.send({ ok: true });
  });
  app.post<{ Params: { email: string } }>('/accounts/:email', async (request, reply) =>
    handle(accountBody, request.body, reply, (patch) => {
      const email = request.params.email;
      if (patch.state !== undefined) faults.setAccountState(email, patch.state);
      if (patch.credits !== undefined) faults.setCredits(email, patch.credits);
      if (patch.maxConcurrent !== undefined) faults.setMaxConcurrent(email, patch.maxConcurrent);
      if (patch.maxConcurrentImages !== undefined) faults.setMaxConcurrentImages(email, patch.maxConcurrentImages);
      return { account: log.accountStats().find((a) => a.email === email) };
    }),
  );
  app.post('/token', async (request, reply) => handle(tokenBody, request.body, reply, ({ valid }) => faults.setTokenValid(valid)));
  app.post('/callbacks', async (request, reply) => handle(callbacksBody, request.body, reply, (settings) => ({ callbacks: faults.setCallbacks(settings) })));
  app.post('/jobs/expire', async (request, reply) =>
    handle(expireBody, request.body, reply, (body) =>
      body?.jobid !== undefined ? { expired: faults.expireJob(body.jobid) ? 1 : 0 } : { expired: faults.expireAllJobs() },
    ),
  );
  app.post('/media/expire', async (_request, reply) => {
    faults.expireMediaUrls();
    return reply.send({ ok: true });
  });
  app.post('/response-shape', async (request, reply) => handle(shapeBody, request.body, reply, ({ shape }) => faults.setResponseShape(shape)));
};
