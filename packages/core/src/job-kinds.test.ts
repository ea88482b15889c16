import { describe, expect, it } from 'vitest';
import { creditsOfJob, JOB_KIND_SPECS, maxCreditsOfJob } from './job-kinds';
import { JOB_KINDS } from './job-kind';

const source = { mediaGenerationId: 'user:1-email:61-video:x' };

describe('job kinds', () => {
  it('every kind has a spec', () => {
    expect(Object.keys(JOB_KIND_SPECS).sort()).toEqual([...JOB_KINDS].sort());
  });

  it.each([
    ['video fast 8 s x2 on pro', 'video', { prompt: 'p', model: 'veo-3.1-fast', count: 2 }, 'pro', 40],
    ['video fast on ultra', 'video', { prompt: 'p', model: 'veo-3.1-fast', count: 1 }, 'ultra', 10],
    ['image pro x4', 'image', { prompt: 'p', model: 'nano-banana-pro', count: 4 }, 'pro', 0],
    ['upscale 1080p', 'upscale', { source, resolution: '1080p' }, 'pro', 0],
    ['upscale 4K', 'upscale', { source, resolution: '4K' }, 'ultra', 50],
    ['extend lite x2 on pro', 'extend', { source, prompt: 'p', model: 'veo-3.1-lite', count: 2 }, 'pro', 20],
  ] as const)('%s costs %d', (_name, kind, request, tier, credits) => {
    expect(creditsOfJob(kind, request as never, tier)).toBe(credits);
  });

  it.each([
    ['upscale 4K reserves 50 (Ultra only)', 'upscale', { source, resolution: '4K' }, 50],
    ['extend fast reserves the pro price', 'extend', { source, prompt: 'p', model: 'veo-3.1-fast', count: 1 }, 20],
    ['image reserves nothing', 'image', { prompt: 'p', model: 'nano-banana-2', count: 4 }, 0],
  ] as const)('%s', (_name, kind, request, credits) => {
    expect(maxCreditsOfJob(kind, request as never)).toBe(credits);
  });

  it.each([
    ['image', { prompt: 'cat', aspectRatio: 'auto' }, 'aspectRatio'],
    ['image', { prompt: 'cat', model: 'imagen-3' }, 'model'],
    ['image', { prompt: 'cat', count: 5 }, 'count'],
    ['upscale', { source: { jobId: 'job_1', mediaGenerationId: 'x' } }, 'source'],
    ['upscale', { source: { mediaGenerationId: 'x', clip: 1 } }, 'source.clip'],
    ['upscale', { source: { jobId: 'job_1' }, resolution: '8K' }, 'resolution'],
    ['extend', { source, prompt: 'more', model: 'omni-flash' }, 'model'],
    ['extend', { source }, 'prompt'],
  ] as const)('%s %j is refused naming %s', (kind, body, field) => {
    const spec = JOB_KIND_SPECS[kind];
    const parsed = spec.fields.safeParse(body);
    const issues = parsed.success ? spec.violations(parsed.data as never).map((v) => v.field) : parsed.error.issues.map((i) => i.path.join('.'));
    expect(issues).toContain(field);
  });

  it('an image alias is stored as the model it means; a jobId source defaults to clip 0', () => {
    expect(JOB_KIND_SPECS.image.fields.parse({ prompt: 'p', model: 'imagen-4' })).toMatchObject({ model: 'nano-banana-2-lite', count: 1, aspectRatio: '16:9' });
    expect(JOB_KIND_SPECS.upscale.fields.parse({ source: { jobId: 'job_1' } })).toMatchObject({ source: { jobId: 'job_1', clip: 0 }, resolution: '1080p' });
  });
});
