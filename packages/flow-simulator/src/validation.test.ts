import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hexOfEmail } from '@flowq/core';
import type { FlowSimulator } from './server';
import { fastSimulator, PRO, submit, ULTRA } from './test-support';
import { parseVideoSubmit } from './validation';

const image = (email: string, n = 1) => `user:1-email:${hexOfEmail(email)}-image:00000000-0000-4000-8000-00000000000${n}`;

describe('POST /videos validation', () => {
  let sim: FlowSimulator;
  beforeAll(async () => {
    sim = await fastSimulator();
  });
  afterAll(() => sim.close());

  it.each([
    ['prompt missing', {}, 'Invalid prompt: is required'],
    ['prompt empty', { prompt: '   ' }, 'Invalid prompt: is required'],
    [
      'unknown model',
      { prompt: 'p', model: 'veo-9' },
      'Invalid model: Supported values: veo-3.1-lite, veo-3.1-lite-low-priority, veo-3.1-fast, veo-3.1-quality, omni-flash',
    ],
    [
      'retired model',
      { prompt: 'p', model: 'veo-3.1-fast-relaxed' },
      'Invalid model: Supported values: veo-3.1-lite, veo-3.1-lite-low-priority, veo-3.1-fast, veo-3.1-quality, omni-flash',
    ],
    ['aspect ratio', { prompt: 'p', aspectRatio: 'square' }, 'Invalid aspectRatio: must be one of landscape, portrait, 1:1, 4:3, 3:4'],
    ['1:1 on omni', { prompt: 'p', model: 'omni-flash', aspectRatio: '1:1' }, 'Invalid aspectRatio: omni-flash takes landscape, portrait, not 1:1'],
    ['10 s on Veo', { prompt: 'p', duration: 10 }, 'Invalid duration: veo-3.1-fast takes 4, 6, 8 s, not 10 s (10 s is omni-flash only)'],
    ['360p on Veo', { prompt: 'p', resolution: '360p' }, 'Invalid resolution: veo-3.1-fast renders 720p, not 360p (360p is omni-flash only)'],
    ['count 0', { prompt: 'p', count: 0 }, 'Invalid count: must be an integer from 1 to 4'],
    ['count 5', { prompt: 'p', count: 5 }, 'Invalid count: must be an integer from 1 to 4'],
    ['seed negative', { prompt: 'p', seed: -1 }, 'Invalid seed: must be an integer >= 0'],
    ['seed string', { prompt: 'p', seed: '12' }, 'Invalid seed: must be an integer >= 0'],
    ['end frame only', { prompt: 'p', endImage: image(ULTRA) }, 'Invalid endImage: requires startImage (end frame only is not supported)'],
    [
      'R2V with start frame',
      { prompt: 'p', startImage: image(ULTRA), referenceImage_1: image(ULTRA, 2) },
      'Invalid referenceImage_1: cannot be combined with startImage or endImage (R2V and I2V are exclusive)',
    ],
    [
      'R2V on quality',
      { prompt: 'p', model: 'veo-3.1-quality', referenceImage_2: image(ULTRA) },
      'Invalid referenceImage_2: veo-3.1-quality takes no reference images',
    ],
    ['captchaRetry 11', { prompt: 'p', captchaRetry: 11 }, 'Invalid captchaRetry: must be an integer from 1 to 10'],
    ['captchaOrder unknown', { prompt: 'p', captchaOrder: 'CapSolver,Nope' }, expect.stringMatching(/^Invalid captchaOrder: must be a comma list/)],
    ['captcha fields together', { prompt: 'p', captchaRetry: 3, captchaOrder: 'CapSolver' }, 'Invalid captchaOrder: cannot be combined with captchaRetry'],
    ['replyUrl not http', { prompt: 'p', replyUrl: 'ftp://x.test/' }, 'Invalid replyUrl: must be an http(s) URL'],
    ['replyUrl too long', { prompt: 'p', replyUrl: `https://x.test/${'a'.repeat(1020)}` }, 'Invalid replyUrl: must be at most 1024 characters'],
  ])('%s -> 400', async (_name, body, message) => {
    const res = await submit(sim, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: message });
  });

  it('refuses a non-object body', async () => {
    const res = await submit(sim, [1, 2] as unknown as Record<string, unknown>);
    expect(res).toMatchObject({ status: 400, body: { error: 'Request body must be a JSON object' } });
  });

  it('an Ultra-only model on a pro account -> 403 MODEL_ACCESS_DENIED', async () => {
    const res = await submit(sim, { prompt: 'p', model: 'veo-3.1-lite-low-priority', email: PRO });
    expect(res.status).toBe(403);
    expect(res.body.error.details[0].reason).toBe('MODEL_ACCESS_DENIED');
    const ok = await submit(sim, { prompt: 'p', model: 'veo-3.1-lite-low-priority', email: ULTRA, async: true });
    expect(ok.status).toBe(201);
  });

  it('4 and 6 s Veo clips only on Ultra; omni-flash takes them anywhere', async () => {
    const res = await submit(sim, { prompt: 'p', duration: 6, email: PRO });
    expect(res).toMatchObject({ status: 400, body: { error: '6 second Veo videos are only available for Google AI Ultra subscriptions' } });
    expect((await submit(sim, { prompt: 'p', duration: 6, email: ULTRA, async: true })).status).toBe(201);
    expect((await submit(sim, { prompt: 'p', model: 'omni-flash', duration: 4, email: PRO, async: true })).status).toBe(201);
  });

  it('the 2026 requests of the done-when list are taken', async () => {
    for (const body of [
      { model: 'veo-3.1-lite', duration: 6, aspectRatio: 'landscape', email: ULTRA },
      { model: 'omni-flash', duration: 10, aspectRatio: 'portrait', resolution: '360p' },
      { model: 'veo-3.1-fast', aspectRatio: '1:1' },
    ]) {
      const res = await submit(sim, { prompt: 'p', async: true, ...body });
      expect(res.status).toBe(201);
      expect(res.body.request).toMatchObject(Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'email')));
    }
  });

  it('unknown email -> 404 in useapi words', async () => {
    const res = await submit(sim, { prompt: 'p', email: 'nobody@flowq.test' });
    expect(res).toMatchObject({ status: 404, body: { error: 'Google Flow account nobody@flowq.test not found' } });
  });

  it('an image of one account used with another email -> 403', async () => {
    const foreign = image(PRO);
    const res = await submit(sim, { prompt: 'p', email: ULTRA, startImage: foreign });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe(`Unauthorized access to user:1 detected in reference ${foreign}`);
  });

  it('images pick their account when email is omitted', async () => {
    const res = await submit(sim, { prompt: 'p', startImage: image(PRO), endImage: image(PRO, 2), async: true });
    expect(res.status).toBe(201);
    expect(res.body.jobid).toContain(`-email:${PRO}-`);
    expect(res.body.request).toMatchObject({ startImage: image(PRO), endImage: image(PRO, 2), email: 'pr***@flowq.test' });
  });

  it('R2V works with veo-3.1-fast', async () => {
    const res = await submit(sim, { prompt: 'p', referenceImage_1: image(ULTRA), referenceImage_3: image(ULTRA, 3), async: true });
    expect(res.status).toBe(201);
  });
});

describe('parseVideoSubmit', () => {
  it('fills in the defaults of the videos page', () => {
    const parsed = parseVideoSubmit({ prompt: ' a cat ' });
    expect(parsed).toEqual({ ok: true, request: { prompt: 'a cat', model: 'veo-3.1-fast', aspectRatio: 'landscape', count: 1, async: false } });
  });
});
