import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FlowSimulator } from './server';
import { call, fastSimulator, PRO, startReceiver, submitImage, ULTRA, waitFor, type Receiver } from './test-support';

const reasonOf = (body: any) => body?.error?.details?.[0]?.reason;

describe('POST /images', () => {
  let sim: FlowSimulator;
  let receiver: Receiver;
  beforeAll(async () => {
    sim = await fastSimulator({ imageMs: { min: 150, max: 150 } });
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

  it('holds the call, then answers 200 with media[].image.generatedImage and a fetchable JPEG', async () => {
    const started = Date.now();
    const res = await submitImage(sim, { prompt: 'a lighthouse', email: PRO, count: 2, seed: 5 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(200);
    expect(res.body.jobId).toMatch(new RegExp(`^j\\d+i-u\\d+-email:${PRO}-bot:google-flow$`));
    expect(res.body.media).toHaveLength(2);
    const images = res.body.media.map((m: any) => m.image.generatedImage);
    expect(images.map((i: any) => i.seed)).toEqual([5, 6]);
    expect(images[0]).toMatchObject({ prompt: 'a lighthouse', modelNameType: 'nano-banana-2-lite', aspectRatio: '16:9' });
    expect(images[0].mediaGenerationId).toMatch(/^user:\d+-email:[0-9a-f]+-image:[0-9a-f-]{36}$/);
    const file = await fetch(images[0].fifeUrl);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    // Images are free: the account's credits do not move.
    const account = await call(sim, 'GET', `/accounts/${PRO}`);
    expect(account.body.credits.credits).toBe(1000);
  });

  it('keeps a job record: GET /jobs/{jobid} and the history listing show it with its replyRef', async () => {
    const res = await submitImage(sim, { prompt: 'recorded', email: ULTRA, replyRef: 'att-9' });
    const record = await call(sim, 'GET', `/jobs/${res.body.jobId}`);
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({
      jobid: res.body.jobId,
      type: 'image',
      status: 'completed',
      request: { replyRef: 'att-9', model: 'nano-banana-2-lite' },
    });
    expect(record.body.response.media).toEqual(res.body.media);
    const history = await call(sim, 'GET', `/jobs?options=history&email=${ULTRA}`);
    expect(history.body.jobs.map((j: any) => j.request.replyRef)).toContain('att-9');
  });

  it.each([
    ['imagen-4', 'nano-banana-2-lite'],
    ['nano-banana', 'nano-banana-2'],
    ['nano-banana-pro', 'nano-banana-pro'],
  ])('model %s runs as %s', async (asked, runs) => {
    const res = await submitImage(sim, { prompt: 'alias', model: asked });
    expect(res.status).toBe(200);
    expect(res.body.media[0].image.generatedImage.modelNameType).toBe(runs);
  });

  it.each([
    [{ prompt: 'x', model: 'imagen-3' }, 'Invalid model'],
    [{ prompt: 'x', count: 5 }, 'Invalid count'],
    [{ prompt: 'x', count: 0 }, 'Invalid count'],
    [{ prompt: 'x', aspectRatio: 'auto' }, 'Invalid aspectRatio: auto requires at least one reference image'],
    [{ prompt: 'x', aspectRatio: 'landscape' }, 'Invalid aspectRatio'],
    [{ prompt: 'x', seed: -1 }, 'Invalid seed'],
    [{ count: 1 }, 'Invalid prompt'],
    [{ prompt: 'x', captchaRetry: 3, captchaToken: 't' }, 'cannot be combined'],
  ])('refuses %j with 400', async (body, message) => {
    const res = await submitImage(sim, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toContain(message);
  });

  it('takes references of the same account (auto ratio allowed), refuses another account’s with 403', async () => {
    const jpeg = (await fetch((await submitImage(sim, { prompt: 'ref', email: ULTRA })).body.media[0].image.generatedImage.fifeUrl)).arrayBuffer();
    const upload = await call(sim, 'POST', `/assets/${ULTRA}`, { raw: { bytes: new Uint8Array(await jpeg), type: 'image/jpeg' } });
    const ref = upload.body.mediaGenerationId.mediaGenerationId as string;
    const ok = await submitImage(sim, { prompt: 'with ref', reference_1: ref, aspectRatio: 'auto' });
    expect(ok.status).toBe(200);
    expect(ok.body.jobId).toContain(ULTRA);
    const foreign = await submitImage(sim, { prompt: 'mixing', email: PRO, reference_1: ref });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toContain('Unauthorized access');
  });

  it('runs on an account without a paid plan (free accounts make images), not on one whose session failed', async () => {
    sim.faults.setAccountState(PRO, 'no_credits');
    expect((await submitImage(sim, { prompt: 'free', email: PRO })).status).toBe(200);
    sim.faults.setAccountState(PRO, 'needs_reauth');
    expect((await submitImage(sim, { prompt: 'reauth', email: PRO })).status).toBe(596);
  });

  it('runs up to the image limit at once per account, apart from video slots; one more is a 429 THROTTLED', async () => {
    sim.faults.setMaxConcurrentImages(ULTRA, 2);
    sim.faults.setMaxConcurrent(ULTRA, 0);
    const calls = [1, 2, 3].map((i) => submitImage(sim, { prompt: `p${i}`, email: ULTRA }));
    const answers = await Promise.all(calls);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 429]);
    expect(reasonOf(answers.find((a) => a.status === 429)!.body)).toBe('PUBLIC_ERROR_USER_REQUESTS_THROTTLED');
    expect(sim.log.maxObservedImageConcurrency(ULTRA)).toBe(2);
    expect(sim.log.overImage429s(ULTRA)).toBe(1);
    expect(sim.log.overSubmission429s(ULTRA)).toBe(0);
    // Another account is not affected.
    expect((await submitImage(sim, { prompt: 'elsewhere', email: PRO })).status).toBe(200);
  });

  it('image faults hit /images only; video faults (the default endpoint) never hit images', async () => {
    sim.faults.failNextSubmits({ kind: 'throttled' });
    sim.faults.failNextSubmits({ kind: 'captcha-quality', endpoint: 'images', model: 'nano-banana-pro' });
    expect((await submitImage(sim, { prompt: 'lite' })).status).toBe(200);
    const pro = await submitImage(sim, { prompt: 'pro', model: 'nano-banana-pro' });
    expect(pro.status).toBe(403);
    expect(pro.body.error).toMatch(/^captcha_quality:/);
    expect(sim.faults.pendingSubmitFaults()).toEqual([expect.objectContaining({ kind: 'throttled', remaining: 1 })]);
  });

  it('a connection reset drops the answer of an image that was made: the record and history still have it', async () => {
    sim.faults.failNextSubmits({ kind: 'connection-reset', endpoint: 'images' });
    await expect(submitImage(sim, { prompt: 'lost answer', email: PRO, replyRef: 'att-lost' })).rejects.toThrow();
    const history = await waitFor(async () => {
      const list = await call(sim, 'GET', `/jobs?options=history&email=${PRO}`);
      return list.body.jobs.find((j: any) => j.request.replyRef === 'att-lost' && j.status === 'completed');
    });
    expect(history.type).toBe('image');
    expect(sim.log.entries({ path: '/v1/google-flow/images' }).map((e) => e.cause)).toContain('connection-reset');
  });

  it('a [[fail]] prompt fails with the failed-job answer; [[unsafe]] is refused before it runs', async () => {
    const failed = await submitImage(sim, { prompt: 'boom [[fail]]' });
    expect(failed).toMatchObject({ status: 500, body: { error: 'API error: 500', code: 500 } });
    const record = await call(sim, 'GET', `/jobs/${failed.body.jobId}`);
    expect(record.body.status).toBe('failed');
    const unsafe = await submitImage(sim, { prompt: 'no [[unsafe]]' });
    expect(unsafe.status).toBe(400);
    expect(reasonOf(unsafe.body)).toBe('PUBLIC_ERROR_UNSAFE_GENERATION');
  });

  it('calls back replyUrl with the completed image record', async () => {
    const res = await submitImage(sim, { prompt: 'hook', replyUrl: receiver.url, replyRef: 'r1' });
    await waitFor(() => receiver.received.length >= 1);
    expect(receiver.received[0]!.body).toMatchObject({ jobid: res.body.jobId, type: 'image', status: 'completed' });
  });
});
