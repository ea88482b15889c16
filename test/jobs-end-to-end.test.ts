import { createHash } from 'node:crypto';
import { listAttempts } from '@flowq/db';
import { waitFor } from '@flowq/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startFlowq, TEST_API_KEY, type FlowqUnderTest } from './support/start-flowq';
import { jobUntilDone } from './support/job-until-done';

let flowq: FlowqUnderTest | undefined;
afterEach(async () => {
  await flowq?.stop();
  flowq = undefined;
});

async function createJob(f: FlowqUnderTest, body: Record<string, unknown>) {
  const res = await f.request('/v1/jobs', { method: 'POST', json: body });
  expect(res.status).toBe(202);
  return (await res.json()) as { id: string; status: string };
}

describe('one video job end to end', () => {
  it('succeeds by callback: the row is queued at once, the callback wakes the worker long before a poll, and the videos download', async () => {
    // A poll interval far beyond the test's patience: only the callback can finish the job in time.
    flowq = await startFlowq('e2e-callback', { env: { POLL_INTERVAL_MS: '60000' } });
    const started = Date.now();
    const created = await createJob(flowq, { prompt: 'a lighthouse at dawn', count: 2, seed: 7, metadata: { ticket: 'T-1' } });
    expect(created.status).toBe('queued');
    const job = await jobUntilDone(flowq, created.id, 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(job.status).toBe('succeeded');
    expect(job.upstreamJobId).toMatch(/^j\d+v-u\d+-email:.+-bot:google-flow$/);
    expect(['acct-1@flowq.test', 'acct-2@flowq.test']).toContain(job.account);
    expect(job.metadata).toEqual({ ticket: 'T-1' });
    expect(job.result.videos).toHaveLength(2);
    for (const v of job.result.videos) {
      expect(v.status).toBe('succeeded');
      // Archived: flowq's own address (with the API key) and its signed link (without).
      expect(v.archive.status).toBe('archived');
      expect(v.url.startsWith(`${flowq.api.address}/v1/media/`)).toBe(true);
      const mp4 = Buffer.from(await (await fetch(v.url, { headers: { authorization: `Bearer ${TEST_API_KEY}` } })).arrayBuffer());
      expect(mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');
      expect(createHash('sha256').update(mp4).digest('hex')).toBe(v.sha256);
      const jpg = Buffer.from(await (await fetch(v.thumbnailDownloadUrl)).arrayBuffer());
      expect([jpg[0], jpg[1]]).toEqual([0xff, 0xd8]);
    }
    const attempts = await listAttempts(flowq.db.db, created.id);
    expect(attempts.filter((a) => a.kind === 'submit')).toHaveLength(1);
    expect(attempts.some((a) => a.kind === 'callback' && a.outcome === 'completed')).toBe(true);
    expect(job.completedAt).not.toBeNull();
  });

  it('finishes by polling when every callback is lost', async () => {
    flowq = await startFlowq('e2e-poll', { sim: { callbacks: { mode: 'drop' } }, env: { POLL_INTERVAL_MS: '300' } });
    const created = await createJob(flowq, { prompt: 'rain on a tin roof' });
    const job = await jobUntilDone(flowq, created.id);
    expect(job.status).toBe('succeeded');
    const attempts = await listAttempts(flowq.db.db, created.id);
    expect(attempts.some((a) => a.kind === 'callback')).toBe(false);
    expect(attempts.some((a) => a.kind === 'poll' && a.outcome === 'completed')).toBe(true);
  });

  it('fails a content-policy prompt at once with its reason, submitted exactly once', async () => {
    flowq = await startFlowq('e2e-policy');
    const created = await createJob(flowq, { prompt: 'something [[unsafe]] here' });
    const job = await jobUntilDone(flowq, created.id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('content_policy');
    expect(job.error.message).toMatch(/UNSAFE|invalid argument/i);
    const submits = (await listAttempts(flowq.db.db, created.id)).filter((a) => a.kind === 'submit');
    expect(submits).toHaveLength(1);
    expect(submits[0]!.statusCode).toBe(400);
  });

  it('retries a 503 after a short jittered wait, without burning an attempt, then succeeds', async () => {
    flowq = await startFlowq('e2e-503');
    flowq.sim.faults.failNextSubmits({ kind: 'captcha-provider', count: 2 });
    const created = await createJob(flowq, { prompt: 'a paper boat' });
    const job = await jobUntilDone(flowq, created.id);
    expect(job.status).toBe('succeeded');
    expect(job.attempts).toBe(0);
    const submits = (await listAttempts(flowq.db.db, created.id)).filter((a) => a.kind === 'submit');
    expect(submits.map((a) => a.statusCode)).toEqual([503, 503, 201]);
    // The waits between tries honour RETRY_DELAY_MIN_MS (50 ms here): no hot loop.
    for (let i = 1; i < submits.length; i++) {
      expect(submits[i]!.startedAt.getTime() - submits[i - 1]!.finishedAt!.getTime()).toBeGreaterThanOrEqual(45);
    }
  });

  it('gives up on a job after MAX_ATTEMPTS real errors', async () => {
    flowq = await startFlowq('e2e-500', { env: { MAX_ATTEMPTS: '2' } });
    flowq.sim.faults.failNextSubmits({ kind: 'internal', count: 5 });
    const created = await createJob(flowq, { prompt: 'a broken upstream' });
    const job = await jobUntilDone(flowq, created.id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('retries_exhausted');
    const submits = (await listAttempts(flowq.db.db, created.id)).filter((a) => a.kind === 'submit');
    expect(submits).toHaveLength(2);
  });

  it('cancels a queued job, and a cancelled job is never submitted', async () => {
    flowq = await startFlowq('e2e-cancel', { startWorker: false });
    const created = await createJob(flowq, { prompt: 'never mind' });
    const res = await flowq.request(`/v1/jobs/${created.id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('cancelled');
    const again = await flowq.request(`/v1/jobs/${created.id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    flowq.worker.runtime.worker.resume();
    await new Promise((r) => setTimeout(r, 500));
    expect(await listAttempts(flowq.db.db, created.id)).toHaveLength(0);
  });

  it('ignores a forged callback: wrong secret is a 404 and the job does not change', async () => {
    flowq = await startFlowq('e2e-forged', { startWorker: false });
    const created = await createJob(flowq, { prompt: 'forgery test' });
    const res = await fetch(`${flowq.api.address}/v1/webhooks/useapi/${created.id}/not-the-secret`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jobid: 'j1-u1-email:x@y-bot:google-flow', status: 'completed' }),
    });
    expect(res.status).toBe(404);
    const job = (await (await flowq.request(`/v1/jobs/${created.id}`)).json()) as { status: string };
    expect(job.status).toBe('queued');
    expect(await listAttempts(flowq.db.db, created.id)).toHaveLength(0);
  });
});
