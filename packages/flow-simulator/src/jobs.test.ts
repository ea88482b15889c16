import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FlowSimulator } from './server';
import { call, fastSimulator, PRO, startReceiver, submit, ULTRA, waitFor, waitForStatus, type Receiver } from './test-support';

describe('async job lifecycle', () => {
  let sim: FlowSimulator;
  let receiver: Receiver;
  beforeAll(async () => {
    sim = await fastSimulator();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });
  afterEach(async () => {
    await sim.drainCallbacks();
    sim.reset();
    receiver.received.length = 0;
  });

  it('answers 201 with the created record, then calls back created, started, completed in order', async () => {
    const res = await submit(sim, {
      prompt: 'a red fox in snow',
      count: 2,
      seed: 7,
      email: ULTRA,
      async: true,
      replyUrl: receiver.url,
      replyRef: 'ref-1',
    });
    expect(res.status).toBe(201);
    const jobid: string = res.body.jobid;
    expect(jobid).toMatch(new RegExp(`^j\\d+v-u\\d+-email:${ULTRA}-bot:google-flow$`));
    expect(res.body).toMatchObject({
      type: 'video',
      status: 'created',
      request: { async: true, prompt: 'a red fox in snow', email: 'ul***@flowq.test', model: 'veo-3.1-fast', count: 2, seed: 7, replyRef: 'ref-1' },
    });
    expect(res.body.response.operations).toHaveLength(2);
    expect(res.body.response.operations[0].status).toBe('MEDIA_GENERATION_STATUS_PENDING');
    expect(new Date(res.body.created).toISOString()).toBe(res.body.created);

    await waitFor(() => receiver.received.length >= 3);
    expect(receiver.received.map((r) => r.body.status)).toEqual(['created', 'started', 'completed']);
    const completed = receiver.received[2]!.body;
    expect(completed.request.replyRef).toBe('ref-1');
    expect(completed.jobid).toBe(jobid);
    const ops = completed.response.operations;
    expect(ops).toHaveLength(2);
    expect(ops.map((o: any) => o.operation.metadata.video.seed)).toEqual([7, 8]);
    for (const op of ops) {
      expect(op.status).toBe('MEDIA_GENERATION_STATUS_SUCCESSFUL');
      expect(op.mediaGenerationId).toMatch(/^user:\d+-email:[0-9a-f]+-video:[0-9a-f-]{36}$/);
      expect(op.operation.metadata.video).toMatchObject({
        prompt: 'a red fox in snow',
        model: 'veo_3_1_t2v',
        isLooped: false,
        aspectRatio: 'VIDEO_ASPECT_RATIO_LANDSCAPE',
      });
      expect(op.operation.metadata.video.fifeUrl).toContain(`${sim.origin}/media/`);
    }
    expect(completed.response.remainingCredits).toBe(25_000 - 20);

    // The record of GET /jobs is the callback's record; the jobid goes in the path unencoded.
    const got = await call(sim, 'GET', `/jobs/${jobid}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(completed);
    expect(sim.log.entries({ method: 'GET' })[0]!.path).toContain('@');
  });

  it('sync submit holds the request and answers jobId + operations', async () => {
    const res = await submit(sim, { prompt: 'sync please', email: PRO, aspectRatio: 'portrait' });
    expect(res.status).toBe(200);
    expect(res.body.jobId).toContain(`email:${PRO}`);
    expect(res.body.jobid).toBeUndefined();
    expect(res.body.operations[0].operation.metadata.video.aspectRatio).toBe('VIDEO_ASPECT_RATIO_PORTRAIT');
    expect(res.body.remainingCredits).toBe(1000 - 20);
    // 2026: today's media[] beside the legacy operations[], the same clips.
    expect(res.body.media[0].videoUrl).toBe(res.body.operations[0].operation.metadata.video.fifeUrl);
  });

  it('refuses an encoded jobid with 400 Invalid job ID format, unknown with 404', async () => {
    const res = await submit(sim, { prompt: 'p', async: true });
    const encoded = encodeURIComponent(res.body.jobid);
    expect(await call(sim, 'GET', `/jobs/${encoded}`)).toMatchObject({ status: 400, body: { error: 'Invalid job ID format' } });
    expect(await call(sim, 'GET', '/jobs/not-a-job')).toMatchObject({ status: 400, body: { error: 'Invalid job ID format' } });
    const unknown = `j1700000000000v-u12345-email:${ULTRA}-bot:google-flow`;
    expect((await call(sim, 'GET', `/jobs/${unknown}`)).status).toBe(404);
  });

  it('an expired job answers 410, one by one or all at once', async () => {
    const a = (await submit(sim, { prompt: 'a', async: true })).body.jobid as string;
    const b = (await submit(sim, { prompt: 'b', async: true })).body.jobid as string;
    expect(sim.faults.expireJob(a)).toBe(true);
    expect((await call(sim, 'GET', `/jobs/${a}`)).status).toBe(410);
    expect((await call(sim, 'GET', `/jobs/${b}`)).status).toBe(200);
    sim.faults.expireAllJobs();
    expect((await call(sim, 'GET', `/jobs/${b}`)).status).toBe(410);
  });

  it('GET /jobs lists executing jobs and recent history, per account', async () => {
    // Generations long enough to still run when listed, on a loaded machine too.
    const slow = await fastSimulator({ generationMs: { min: 1_500, max: 1_500 } });
    try {
      const a = (await submit(slow, { prompt: 'a', async: true, email: ULTRA })).body.jobid as string;
      const b = (await submit(slow, { prompt: 'b', async: true, email: PRO })).body.jobid as string;
      const executing = await call(slow, 'GET', '/jobs?options=executing');
      expect(executing.body.jobs.map((j: any) => j.jobid).sort()).toEqual([a, b].sort());
      const mine = await call(slow, 'GET', `/jobs?options=executing&email=${encodeURIComponent(PRO)}`);
      expect(mine.body.jobs.map((j: any) => j.jobid)).toEqual([b]);
      await waitForStatus(slow, a, 'completed');
      await waitForStatus(slow, b, 'completed');
      expect((await call(slow, 'GET', '/jobs?options=executing')).body.jobs).toEqual([]);
      const history = await call(slow, 'GET', '/jobs?options=history');
      expect(history.body.jobs.map((j: any) => j.jobid)).toEqual([b, a]);
      expect(history.body.accounts[PRO]).toMatchObject({ executing: 0, failed: 0 });
      expect((await call(slow, 'GET', '/jobs?email=nobody@flowq.test')).status).toBe(404);
    } finally {
      await slow.close();
    }
  });

  it('debits credits per clip and answers 402 at zero', async () => {
    sim.faults.setCredits(PRO, 60);
    expect((await submit(sim, { prompt: 'p', email: PRO, count: 3, async: true })).status).toBe(201);
    const broke = await submit(sim, { prompt: 'p', email: PRO, async: true });
    expect(broke).toMatchObject({ status: 402, body: { error: 'Account has no subscription or subscription expired' } });
    expect(sim.log.accountStats().find((a) => a.email === PRO)!.credits).toBe(0);
  });

  it('the request log records prompt, replyRef, email, jobid and status', async () => {
    const res = await submit(sim, { prompt: 'logged', async: true, replyRef: 'r9' });
    expect(sim.log.submissionsFor('logged')).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/v1/google-flow/videos',
        status: 201,
        prompt: 'logged',
        replyRef: 'r9',
        email: ULTRA,
        jobid: res.body.jobid,
      }),
    ]);
    await submit(sim, { prompt: 'logged', count: 9 });
    expect(sim.log.countByStatus({ path: '/v1/google-flow/videos' })).toEqual({ 201: 1, 400: 1 });
  });
});

describe('close()', () => {
  it('answers a held sync request with 503 and stops every timer', async () => {
    const sim = await fastSimulator({ generationMs: { min: 5000, max: 5000 } });
    const pending = submit(sim, { prompt: 'never finishes' });
    await waitFor(() => sim.log.maxObservedConcurrency() === 1);
    const started = Date.now();
    await sim.close();
    expect(await pending).toMatchObject({ status: 503, body: { error: 'Simulator is shutting down' } });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
