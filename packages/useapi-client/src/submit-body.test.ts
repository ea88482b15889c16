import { videoRequestSchema } from '@flowq/core';
import { describe, expect, it } from 'vitest';
import { submitBodyOf } from './submit-body';

const reply = { replyUrl: 'https://flowq.example/hooks/abc', replyRef: 'job_1' };

describe('submitBodyOf', () => {
  it.each([
    {
      name: 'defaults filled in, always async',
      input: { prompt: 'a cat' },
      expected: { prompt: 'a cat', model: 'veo-3.1-fast', aspectRatio: 'landscape', count: 1, async: true, ...reply },
    },
    {
      name: 'every field passed through',
      input: { prompt: 'p', model: 'veo-3.1-quality', aspectRatio: 'portrait', count: 4, seed: 0, email: 'a@b.co', startImage: 's', endImage: 'e' },
      expected: {
        prompt: 'p',
        model: 'veo-3.1-quality',
        aspectRatio: 'portrait',
        count: 4,
        seed: 0,
        email: 'a@b.co',
        startImage: 's',
        endImage: 'e',
        async: true,
        ...reply,
      },
    },
    {
      name: 'reference images',
      input: { prompt: 'p', referenceImage_1: 'r1', referenceImage_3: 'r3' },
      expected: {
        prompt: 'p',
        model: 'veo-3.1-fast',
        aspectRatio: 'landscape',
        count: 1,
        referenceImage_1: 'r1',
        referenceImage_3: 'r3',
        async: true,
        ...reply,
      },
    },
    {
      name: '2026 fields: duration, resolution, new aspect ratios, omni references',
      input: { prompt: 'p', model: 'omni-flash', duration: 10, resolution: '360p', aspectRatio: 'portrait', referenceImage_7: 'r7' },
      expected: {
        prompt: 'p',
        model: 'omni-flash',
        duration: 10,
        resolution: '360p',
        aspectRatio: 'portrait',
        count: 1,
        referenceImage_7: 'r7',
        async: true,
        ...reply,
      },
    },
  ])('$name', ({ input, expected }) => {
    expect(submitBodyOf({ ...videoRequestSchema.parse(input), ...reply })).toEqual(expected);
  });

  it.each([
    { name: 'service retry on every submit', input: {}, captcha: { retry: 5 }, expected: { captchaRetry: 5 } },
    { name: 'service order on every submit', input: {}, captcha: { order: 'CapSolver,2Captcha' }, expected: { captchaOrder: 'CapSolver,2Captcha' } },
    { name: 'the request overrides the service', input: { captchaOrder: 'AntiCaptcha' }, captcha: { retry: 5 }, expected: { captchaOrder: 'AntiCaptcha' } },
    { name: 'the request retry wins', input: { captchaRetry: 8 }, captcha: { retry: 5 }, expected: { captchaRetry: 8 } },
    { name: 'nothing configured: useapi default', input: {}, captcha: {}, expected: {} },
  ])('captcha options: $name', ({ input, captcha, expected }) => {
    const body = submitBodyOf({ ...videoRequestSchema.parse({ prompt: 'p', ...input }), ...reply }, captcha);
    expect({ captchaRetry: body.captchaRetry, captchaOrder: body.captchaOrder }).toEqual({ captchaRetry: undefined, captchaOrder: undefined, ...expected });
  });

  it('drops fields that are not useapi request fields, and async cannot be turned off', () => {
    const request = { ...videoRequestSchema.parse({ prompt: 'p' }), ...reply, token: 'secret', async: false } as never;
    expect(submitBodyOf(request)).not.toHaveProperty('token');
    expect(submitBodyOf(request).async).toBe(true);
  });
});
