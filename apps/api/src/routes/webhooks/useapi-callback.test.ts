import { findJob, jobs, listAttempts } from '@flowq/db';
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
