import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FlowSimulator } from './server';
import { call, fastSimulator, PRO, submit, ULTRA, waitForStatus } from './test-support';

const upscale = (sim: FlowSimulator, body: Record<string, unknown>) => call(sim, 'POST', '/videos/upscale', { body });
const extend = (sim: FlowSimulator, body: Record<string, unknown>) => call(sim, 'POST', '/videos/extend', { body });

describe('POST /videos/upscale and /videos/extend', () => {
  let sim: FlowSimulator;
  beforeAll(async () => {
    sim = await fastSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });
  afterEach(async () => {
    await sim.drainCallbacks();
    sim.reset();
  });

  /** A finished clip's mediaGenerationId on `email`. */
  async function finishedClip(email: string, body: Record<string, unknown> = {}): Promise<string> {
    const res = await submit(sim, { prompt: 'source', email, async: true, ...body });
    const done = await waitForStatus(sim, res.body.jobid, 'completed');
    return done.body.response.media[0].mediaGenerationId;
  }

  it('upscales to 1080p for free as an async job; the new clip is the source id plus _upsampled', async () => {
    const source = await finishedClip(PRO);
    const before = (await call(sim, 'GET', `/accounts/${PRO}`)).body.credits.credits;
    const res = await upscale(sim, { mediaGenerationId: source, async: true, replyRef: 'up-1' });
    expect(res.status).toBe(201);
    expect(res.body.jobid).toContain(`email:${PRO}`);
    expect(res.body.request).toMatchObject({ mediaGenerationId: source, resolution: '1080p', replyRef: 'up-1' });
    const done = await waitForStatus(sim, res.body.jobid, 'completed');
    expect(done.body.response.media[0].mediaGenerationId).toBe(`${source}_upsampled`);
    expect((await fetch(done.body.response.media[0].videoUrl)).status).toBe(200);
    expect((await call(sim, 'GET', `/accounts/${PRO}`)).body.credits.credits).toBe(before);
  });

  it('4K costs 50 credits on Ultra and is refused with 403 on any other plan', async () => {
    const ultraClip = await finishedClip(ULTRA);
    const before = (await call(sim, 'GET', `/accounts/${ULTRA}`)).body.credits.credits;
    const ok = await upscale(sim, { mediaGenerationId: ultraClip, resolution: '4K', async: true });
    expect(ok.status).toBe(201);
    expect((await call(sim, 'GET', `/accounts/${ULTRA}`)).body.credits.credits).toBe(before - 50);
    const proClip = await finishedClip(PRO);
    const refused = await upscale(sim, { mediaGenerationId: proClip, resolution: '4K', async: true });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toContain('Ultra');
    expect(sim.log.entries({ path: '/v1/google-flow/videos/upscale', status: 403 })[0]!.cause).toBe('tier');
  });

  it('a source of another account is refused: 403 when email names another account, 404 for an id its account never made', async () => {
    const proClip = await finishedClip(PRO);
    const foreign = await upscale(sim, { mediaGenerationId: proClip, email: ULTRA, async: true });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toContain('Unauthorized access');
    // The same video uuid under the Ultra account's user part: not a video of that account.
    const ultraClip = await finishedClip(ULTRA);
    const forged = proClip.replace(/^user:\d+-email:[0-9a-f]+/, ultraClip.split('-video:')[0]!);
    expect((await upscale(sim, { mediaGenerationId: forged, async: true })).status).toBe(404);
    expect((await upscale(sim, { mediaGenerationId: 'not-an-id', async: true })).status).toBe(400);
    const gone = proClip.replace(/email:[0-9a-f]+/, `email:${Buffer.from('gone@flowq.test').toString('hex')}`);
    const missing = await upscale(sim, { mediaGenerationId: gone, async: true });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toContain('gone@flowq.test');
  });

  it('extends a Veo clip by one 8 s segment at the 8 s price of the model, inheriting the aspect ratio', async () => {
    const source = await finishedClip(PRO, { aspectRatio: 'portrait' });
    const before = (await call(sim, 'GET', `/accounts/${PRO}`)).body.credits.credits;
    const res = await extend(sim, { mediaGenerationId: source, prompt: 'the fox runs on', count: 2, async: true });
    expect(res.status).toBe(201);
    expect(res.body.request).toMatchObject({ mediaGenerationId: source, prompt: 'the fox runs on', model: 'veo-3.1-fast', count: 2 });
    const done = await waitForStatus(sim, res.body.jobid, 'completed');
    expect(done.body.response.media).toHaveLength(2);
    expect(done.body.response.media[0].video.generatedVideo.aspectRatio).toBe('VIDEO_ASPECT_RATIO_PORTRAIT');
    expect((await call(sim, 'GET', `/accounts/${PRO}`)).body.credits.credits).toBe(before - 2 * 20);
    // The extension is itself a video of the account: it can be upscaled.
    expect((await upscale(sim, { mediaGenerationId: done.body.response.media[1].mediaGenerationId, async: true })).status).toBe(201);
  });

  it('refuses to extend an omni clip, or with a non-Veo model, with 400', async () => {
    const omni = await finishedClip(PRO, { model: 'omni-flash' });
    const res = await extend(sim, { mediaGenerationId: omni, prompt: 'more', async: true });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('Only Veo videos can be extended');
    const veo = await finishedClip(PRO);
    const wrongModel = await extend(sim, { mediaGenerationId: veo, prompt: 'more', model: 'omni-flash', async: true });
    expect(wrongModel.status).toBe(400);
    expect(wrongModel.body.error).toContain('Invalid model');
    expect((await extend(sim, { mediaGenerationId: veo, async: true })).body.error).toContain('Invalid prompt');
  });

  it('takes a video slot of the owner: at its limit, 429 THROTTLED; a broken session 596; faults by endpoint', async () => {
    const source = await finishedClip(PRO);
    sim.faults.setMaxConcurrent(PRO, 0);
    expect((await upscale(sim, { mediaGenerationId: source, async: true })).status).toBe(429);
    sim.faults.reset();
    sim.faults.failNextSubmits({ kind: 'google-unavailable', endpoint: 'extend' });
    expect((await upscale(sim, { mediaGenerationId: source, async: true })).status).toBe(201);
    expect((await extend(sim, { mediaGenerationId: source, prompt: 'p', async: true })).status).toBe(503);
    sim.faults.setAccountState(PRO, 'needs_reauth');
    expect((await extend(sim, { mediaGenerationId: source, prompt: 'p', async: true })).status).toBe(596);
  });

  it('a connection reset on an upscale drops the 201 but the job runs: the history has it by replyRef', async () => {
    const source = await finishedClip(PRO);
    sim.faults.failNextSubmits({ kind: 'connection-reset', endpoint: 'upscale' });
    await expect(upscale(sim, { mediaGenerationId: source, async: true, replyRef: 'lost-201' })).rejects.toThrow();
    const list = await call(sim, 'GET', `/jobs?options=history&email=${PRO}`);
    expect(list.body.jobs.some((j: any) => j.request.replyRef === 'lost-201')).toBe(true);
  });
});
