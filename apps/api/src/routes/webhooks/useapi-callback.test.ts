import { findJob, jobAttempts, jobs, listAttempts } from '@flowq/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test-app';

let t: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  t = await buildTestApp('useapi-callback');
});
afterAll(async () => t?.close());

async function jobWithStatus(status: 'running' | 'succeeded' | 'failed' | 'cancelled') {
  const res = await t.app.inject({ method: 'POST', url: '/v1/jobs', headers: t.auth, payload: { prompt: `callback ${status}` } });
  const { id } = res.json() as { id: string };
  await t.db.db
    .update(jobs)
    .set({ status, upstreamJobId: `up-${id}` })
    .where(eq(jobs.id, id));
  return (await findJob(t.db.db, id))!;
}

const callback = (id: string, secret: string, body: unknown) =>
  t.app.inject({ method: 'POST', url: `/v1/webhooks/useapi/${id}/${secret}`, headers: { 'content-type': 'application/json' }, payload: body as object });

describe('useapi callbacks for jobs that have ended', () => {
  it('a callback with the right secret after the job ended is acknowledged and adds no job_attempts row (was one row per replay)', async () => {
    for (const status of ['succeeded', 'failed', 'cancelled'] as const) {
      const job = await jobWithStatus(status);
      for (let i = 0; i < 3; i++) {
        const res = await callback(job.id, job.callbackSecret, { jobid: job.upstreamJobId, status: 'completed' });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ ok: true });
      }
      expect(await listAttempts(t.db.db, job.id)).toEqual([]);
      expect((await findJob(t.db.db, job.id))!.status).toBe(status);
    }
  });

  it('a job still running records the end callback as before', async () => {
    const job = await jobWithStatus('running');
    expect((await callback(job.id, job.callbackSecret, { jobid: job.upstreamJobId, status: 'completed' })).statusCode).toBe(200);
    const attempts = await listAttempts(t.db.db, job.id);
    expect(attempts.map((a) => [a.kind, a.outcome])).toEqual([['callback', 'completed']]);
  });
});

describe("a callback's writes happen only with the right secret (one statement with the read)", () => {
  async function submittingWithPendingAttempt() {
    const res = await t.app.inject({ method: 'POST', url: '/v1/jobs', headers: t.auth, payload: { prompt: 'callback submitting' } });
    const { id } = res.json() as { id: string };
    await t.db.db.update(jobs).set({ status: 'submitting', account: 'a@x.test' }).where(eq(jobs.id, id));
    const attemptId = `att_${id.slice(4)}`;
    await t.db.db.insert(jobAttempts).values({ id: attemptId, jobId: id, kind: 'submit', account: 'a@x.test', outcome: 'pending', startedAt: new Date() });
    return { job: (await findJob(t.db.db, id))!, attemptId };
  }

  it('a wrong secret is a 404 and writes nothing: neither the jobid of the pending attempt nor a callback attempt', async () => {
    const { job, attemptId } = await submittingWithPendingAttempt();
    for (const status of ['created', 'completed']) {
      const res = await callback(job.id, `${job.callbackSecret}x`, { jobid: 'up-forged', status, request: { replyRef: attemptId } });
      expect(res.statusCode).toBe(404);
    }
    const attempts = await listAttempts(t.db.db, job.id);
    expect(attempts.map((a) => [a.kind, a.upstreamJobId])).toEqual([['submit', null]]);
  });

  it("with the right secret a submitting job's pending attempt learns the upstream jobid once, and an end is recorded with the account", async () => {
    const { job, attemptId } = await submittingWithPendingAttempt();
    expect((await callback(job.id, job.callbackSecret, { jobid: 'up-1', status: 'created', request: { replyRef: attemptId } })).statusCode).toBe(200);
    expect((await callback(job.id, job.callbackSecret, { jobid: 'up-2', status: 'started', request: { replyRef: attemptId } })).statusCode).toBe(200);
    expect((await callback(job.id, job.callbackSecret, { jobid: 'up-1', status: 'completed', request: { replyRef: attemptId } })).statusCode).toBe(200);
    const attempts = await listAttempts(t.db.db, job.id);
    expect(attempts.map((a) => [a.kind, a.upstreamJobId, a.outcome, a.account])).toEqual([
      ['submit', 'up-1', 'pending', 'a@x.test'],
      ['callback', 'up-1', 'completed', 'a@x.test'],
    ]);
    expect(attempts[1]!.detail).toEqual({ replyRef: attemptId });
  });

  it('an unknown job is a 404', async () => {
    expect((await callback('job_unknown', 'x', { jobid: 'up', status: 'completed' })).statusCode).toBe(404);
  });
});
