import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hexOfEmail } from '@flowq/core';
import type { FlowSimulator } from './server';
import { fastSimulator, PRO, submit, ULTRA } from './test-support';
import { MODE_MESSAGES, parseVideoSubmit } from './validation';

const image = (email: string, n = 1) => `user:1-email:${hexOfEmail(email)}-image:00000000-0000-4000-8000-00000000000${n}`;

describe('POST /videos validation', () => {
  let sim: FlowSimulator;
  beforeAll(async () => {
    sim = await fastSimulator();
  });
  afterAll(() => sim.close());

  it.each([
    ['prompt missing', {}, 'prompt is required'],
    ['prompt empty', { prompt: '   ' }, 'prompt is required'],
    ['unknown model', { prompt: 'p', model: 'veo-9' }, 'Invalid model veo-9. Supported values: veo-3.1-quality, veo-3.1-fast, veo-3.1-fast-relaxed'],
    ['aspect ratio', { prompt: 'p', aspectRatio: 'square' }, 'Invalid aspectRatio. Supported values: landscape, portrait'],
    ['count 0', { prompt: 'p', count: 0 }, 'count must be an integer between 1 and 4'],
    ['count 5', { prompt: 'p', count: 5 }, 'count must be an integer between 1 and 4'],
    ['count 1.5', { prompt: 'p', count: 1.5 }, 'count must be an integer between 1 and 4'],
    ['seed negative', { prompt: 'p', seed: -1 }, 'seed must be an integer >= 0'],
    ['seed fraction', { prompt: 'p', seed: 1.5 }, 'seed must be an integer >= 0'],
    ['seed string', { prompt: 'p', seed: '12' }, 'seed must be an integer >= 0'],
    ['end frame only', { prompt: 'p', endImage: image(ULTRA) }, MODE_MESSAGES.endWithoutStart],
    ['R2V with start frame', { prompt: 'p', startImage: image(ULTRA), referenceImage_1: image(ULTRA, 2) }, MODE_MESSAGES.r2vWithFrames],
    ['R2V portrait', { prompt: 'p', aspectRatio: 'portrait', referenceImage_1: image(ULTRA) }, 'Reference-to-video only supports landscape aspect ratio'],
    [
      'R2V on quality',
      { prompt: 'p', model: 'veo-3.1-quality', referenceImage_2: image(ULTRA) },
      'Reference-to-video only supports veo-3.1-fast and veo-3.1-fast-relaxed models',
    ],
    ['replyUrl not http', { prompt: 'p', replyUrl: 'ftp://x.test/' }, 'replyUrl must be an http(s) URL'],
    ['replyUrl too long', { prompt: 'p', replyUrl: `https://x.test/${'a'.repeat(1020)}` }, 'replyUrl must be at most 1024 characters'],
  ])('%s -> 400', async (_name, body, message) => {
    const res = await submit(sim, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: message });
  });

  it('refuses a non-object body', async () => {
    const res = await submit(sim, [1, 2] as unknown as Record<string, unknown>);
    expect(res).toMatchObject({ status: 400, body: { error: 'Request body must be a JSON object' } });
  });

  it('relaxed model only on ultra accounts', async () => {
    const res = await submit(sim, { prompt: 'p', model: 'veo-3.1-fast-relaxed', email: PRO });
    expect(res).toMatchObject({ status: 400, body: { error: MODE_MESSAGES.ultraOnly('veo-3.1-fast-relaxed') } });
    const ok = await submit(sim, { prompt: 'p', model: 'veo-3.1-fast-relaxed', email: ULTRA, async: true });
    expect(ok.status).toBe(201);
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

  it('R2V works with veo-3.1-fast in landscape', async () => {
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
