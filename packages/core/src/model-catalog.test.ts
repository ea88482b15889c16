import { describe, expect, it } from 'vitest';
import { creditsFor, maxCreditsFor, tiersFor, VIDEO_MODEL_IDS, type ClipShape } from './model-catalog';
import { videoRequestSchema, type VideoRequestInput } from './video-request';

const REF = 'user:1-email:6a6f686e406578616d706c652e636f6d-image:r';

describe('credits per tier', () => {
  it.each<{ shape: ClipShape; ultra: number; pro: number }>([
    { shape: { model: 'veo-3.1-lite' }, ultra: 5, pro: 10 },
    { shape: { model: 'veo-3.1-lite-low-priority' }, ultra: 0, pro: 0 },
    { shape: { model: 'veo-3.1-fast' }, ultra: 10, pro: 20 },
    { shape: { model: 'veo-3.1-fast', count: 4 }, ultra: 40, pro: 80 },
    { shape: { model: 'veo-3.1-quality' }, ultra: 100, pro: 100 },
    { shape: { model: 'omni-flash', duration: 4 }, ultra: 7, pro: 7 },
    { shape: { model: 'omni-flash', duration: 10 }, ultra: 15, pro: 15 },
    { shape: { model: 'omni-flash', duration: 10, resolution: '360p' }, ultra: 7, pro: 7 },
    { shape: { model: 'omni-flash', duration: 6, resolution: '360p', count: 2 }, ultra: 10, pro: 10 },
    { shape: { model: 'omni-flash' }, ultra: 12, pro: 12 },
  ])('$shape', ({ shape, ultra, pro }) => {
    expect(creditsFor(shape, 'ultra')).toBe(ultra);
    expect(creditsFor(shape, 'pro')).toBe(pro);
  });

  it('an unpriced combination costs the most the model ever costs', () => {
    expect(creditsFor({ model: 'veo-3.1-quality', duration: 4 }, 'pro')).toBe(100);
    expect(creditsFor({ model: 'omni-flash', duration: 8, resolution: '1080p' as never }, 'pro')).toBe(15);
  });

  it('a budget reserves the dearest tier that can run the request', () => {
    expect(maxCreditsFor({ model: 'veo-3.1-fast' })).toBe(20);
    expect(maxCreditsFor({ model: 'veo-3.1-fast', duration: 4 })).toBe(10);
  });
});

describe('tiers', () => {
  it.each<{ shape: ClipShape; tiers: string[] }>([
    { shape: { model: 'veo-3.1-fast' }, tiers: ['ultra', 'pro'] },
    { shape: { model: 'veo-3.1-fast', duration: 4 }, tiers: ['ultra'] },
    { shape: { model: 'veo-3.1-lite', duration: 6 }, tiers: ['ultra'] },
    { shape: { model: 'veo-3.1-lite-low-priority' }, tiers: ['ultra'] },
    { shape: { model: 'omni-flash', duration: 4 }, tiers: ['ultra', 'pro'] },
  ])('$shape', ({ shape, tiers }) => {
    expect(tiersFor(shape)).toEqual(tiers);
  });
});

describe('request rules', () => {
  it.each<{ name: string; input: VideoRequestInput }>([
    { name: 'veo-3.1-lite 6 s landscape', input: { prompt: 'p', model: 'veo-3.1-lite', duration: 6, aspectRatio: 'landscape' } },
    { name: 'omni-flash 10 s portrait 360p', input: { prompt: 'p', model: 'omni-flash', duration: 10, aspectRatio: 'portrait', resolution: '360p' } },
    { name: 'veo-3.1-fast 1:1', input: { prompt: 'p', model: 'veo-3.1-fast', aspectRatio: '1:1' } },
    { name: 'veo 4:3 and 3:4', input: { prompt: 'p', model: 'veo-3.1-lite', aspectRatio: '3:4' } },
    { name: 'quality 8 s with frames', input: { prompt: 'p', model: 'veo-3.1-quality', duration: 8, startImage: REF, endImage: REF } },
    {
      name: 'fast R2V with 3 references, portrait',
      input: { prompt: 'p', referenceImage_1: REF, referenceImage_2: REF, referenceImage_3: REF, aspectRatio: 'portrait' },
    },
    {
      name: 'omni R2V with 7 references at 4 s',
      input: { prompt: 'p', model: 'omni-flash', duration: 4, ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((n) => [`referenceImage_${n}`, REF])) },
    },
    { name: 'omni frames at 10 s', input: { prompt: 'p', model: 'omni-flash', duration: 10, startImage: REF } },
  ])('accepts $name', ({ input }) => {
    expect(videoRequestSchema.safeParse(input).error?.issues).toBeUndefined();
  });

  it.each<{ name: string; input: Record<string, unknown>; field: string; says: RegExp }>([
    { name: 'retired relaxed model', input: { model: 'veo-3.1-fast-relaxed' }, field: 'model', says: /retired.*use veo-3\.1-lite-low-priority/ },
    { name: 'unknown model', input: { model: 'veo-9' }, field: 'model', says: /must be one of veo-3\.1-lite, .*omni-flash/ },
    { name: 'duration not offered', input: { duration: 5 }, field: 'duration', says: /must be one of 4, 6, 8, 10/ },
    { name: 'duration as text', input: { duration: '8' }, field: 'duration', says: /must be one of/ },
    { name: '10 s on Veo', input: { model: 'veo-3.1-fast', duration: 10 }, field: 'duration', says: /10 s is omni-flash only/ },
    { name: 'quality is 8 s only', input: { model: 'veo-3.1-quality', duration: 6 }, field: 'duration', says: /veo-3\.1-quality takes 8 s/ },
    { name: '360p on Veo', input: { model: 'veo-3.1-lite', resolution: '360p' }, field: 'resolution', says: /360p is omni-flash only/ },
    { name: 'unknown resolution', input: { resolution: '1080p' }, field: 'resolution', says: /must be one of 720p, 360p/ },
    { name: 'unknown aspect ratio', input: { aspectRatio: '21:9' }, field: 'aspectRatio', says: /must be one of landscape, portrait, 1:1, 4:3, 3:4/ },
    { name: '1:1 on omni', input: { model: 'omni-flash', aspectRatio: '1:1' }, field: 'aspectRatio', says: /omni-flash takes landscape, portrait/ },
    { name: 'end frame alone', input: { endImage: REF }, field: 'endImage', says: /requires startImage/ },
    { name: 'references on quality', input: { model: 'veo-3.1-quality', referenceImage_1: REF }, field: 'referenceImage_1', says: /takes no reference images/ },
    {
      name: 'a 4th reference on Veo',
      input: { ...Object.fromEntries([1, 2, 3, 4].map((n) => [`referenceImage_${n}`, REF])) },
      field: 'referenceImage_4',
      says: /at most 3/,
    },
    { name: 'references with frames', input: { startImage: REF, referenceImage_1: REF }, field: 'referenceImage_1', says: /exclusive/ },
    { name: 'Veo R2V at 4 s', input: { model: 'veo-3.1-fast', duration: 4, referenceImage_1: REF }, field: 'duration', says: /R2V\) takes 8 s only/ },
    { name: 'count 5', input: { count: 5 }, field: 'count', says: /1 to 4/ },
  ])('refuses $name, naming $field', ({ input, field, says }) => {
    const issues = videoRequestSchema.safeParse({ prompt: 'p', ...input }).error?.issues ?? [];
    expect(issues.map((i) => i.path.join('.'))).toContain(field);
    expect(issues.find((i) => i.path.join('.') === field)?.message).toMatch(says);
  });

  it('every catalog model is accepted with its defaults', () => {
    for (const model of VIDEO_MODEL_IDS) expect(videoRequestSchema.safeParse({ prompt: 'p', model }).success).toBe(true);
  });
});
