import { describe, expect, it } from 'vitest';
import { followUpsOf, followUpViolations, thenField } from './follow-ups';
import type { JobResult } from './job-status';

const clip = (id: string | null, status: 'succeeded' | 'failed' = 'succeeded') => ({ url: 'u', thumbnailUrl: null, seed: 1, mediaGenerationId: id, status });
const result = (...videos: ReturnType<typeof clip>[]): JobResult => ({ videos });

describe('chains', () => {
  it.each([
    ['no chain: nothing', undefined, result(clip('m0')), []],
    ['not succeeded: nothing', [{ kind: 'upscale', resolution: '1080p' }], null, []],
    [
      'one upscale per clip',
      [{ kind: 'upscale', resolution: '1080p' }],
      result(clip('m0'), clip('m1')),
      [
        ['upscale', 0, 'm0'],
        ['upscale', 1, 'm1'],
      ],
    ],
    ['a failed clip gets none', [{ kind: 'upscale', resolution: '4K' }], result(clip('m0', 'failed'), clip('m1')), [['upscale', 1, 'm1']]],
    [
      'chain order within a clip',
      [
        { kind: 'upscale', resolution: '1080p' },
        { kind: 'extend', prompt: 'p', model: 'veo-3.1-fast', count: 1 },
      ],
      result(clip('m0')),
      [
        ['upscale', 0, 'm0'],
        ['extend', 0, 'm0'],
      ],
    ],
  ] as const)('%s', (_name, then, res, expected) => {
    // biome-ignore lint/suspicious/noThenProperty: the chain field is named `then` by the API (issue 12); an array is never a thenable
    const jobs = followUpsOf({ id: 'job_p', request: { then: then as never }, result: res });
    expect(jobs.map((j) => [j.kind, j.request.source.clip, j.request.source.mediaGenerationId])).toEqual(expected);
    for (const j of jobs) expect(j.request.source.jobId).toBe('job_p');
  });

  it('an extend after an omni clip is refused naming the entry; the chain is bounded and typed', () => {
    expect(
      followUpViolations({
        model: 'omni-flash',
        // biome-ignore lint/suspicious/noThenProperty: the chain field is named `then` by the API (issue 12); an array is never a thenable
        then: [
          { kind: 'upscale', resolution: '1080p' },
          { kind: 'extend', prompt: 'p', model: 'veo-3.1-fast', count: 1 },
        ],
      }),
    ).toEqual([{ field: 'then.1.kind', message: expect.stringContaining('omni-flash') }]);
    // biome-ignore lint/suspicious/noThenProperty: the chain field is named `then` by the API (issue 12); an array is never a thenable
    expect(followUpViolations({ model: 'veo-3.1-fast', then: [{ kind: 'extend', prompt: 'p', model: 'veo-3.1-fast', count: 1 }] })).toEqual([]);
    expect(thenField.safeParse(Array.from({ length: 5 }, () => ({ kind: 'upscale' }))).success).toBe(false);
    expect(thenField.safeParse([{ kind: 'upscale', source: { jobId: 'x' } }]).success).toBe(false);
    expect(thenField.parse([{ kind: 'upscale' }])).toEqual([{ kind: 'upscale', resolution: '1080p' }]);
  });
});
