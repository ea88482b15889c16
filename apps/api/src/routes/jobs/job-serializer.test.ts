import { serializerCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { jobSerializerFor, stringifyJob } from './job-serializer';
import { errorSchema, jobSchema } from './schemas';

const zodJson = serializerCompiler({ schema: jobSchema, method: 'POST', url: '/v1/jobs', httpStatus: '202' } as never) as (data: unknown) => string;

const queued = {
  id: 'job_01kb0000000000000000000000',
  kind: 'video',
  status: 'queued',
  request: { prompt: 'a "quoted" prompt\nwith a newline, é and \u2028', model: 'veo-3.1-fast', aspectRatio: 'landscape', count: 1 },
  priority: 10,
  metadata: undefined,
  batchId: null,
  account: null,
  upstreamJobId: null,
  attempts: 0,
  callbackUrl: null,
  result: null,
  credits: null,
  maxCredits: null,
  error: null,
  createdAt: '2026-11-28T04:00:00.000Z',
  updatedAt: '2026-11-28T04:00:00.000Z',
  completedAt: null,
} as const;

const archivedClip = {
  url: 'https://flowq.example/v1/media/job_1/0.mp4',
  thumbnailUrl: null,
  downloadUrl: 'https://flowq.example/v1/media/job_1/0.mp4?expires=60&sig=x',
  thumbnailDownloadUrl: null,
  upstreamUrl: 'https://storage.example/v.mp4?sig=1',
  upstreamThumbnailUrl: null,
  upstreamExpiresAt: '2026-01-01T06:00:00.000Z',
  sha256: 'ab',
  bytes: 10,
  archive: { status: 'archived' },
  seed: 7,
  mediaGenerationId: 'm1',
  status: 'succeeded',
};

const image = {
  url: null,
  downloadUrl: null,
  upstreamUrl: 'https://storage.example/i.png',
  upstreamExpiresAt: null,
  sha256: null,
  bytes: null,
  archive: { status: 'failed', error: 'upstream answered 404' },
  seed: null,
  mediaGenerationId: null,
};

// Every shape a job answer takes: the compiled serializer must write exactly what the zod one writes.
const cases: [string, unknown][] = [
  ['a queued job as POST /v1/jobs answers it', queued],
  [
    'with metadata, a callback URL and a budget',
    { ...queued, metadata: { a: [1, 'two', null, { b: true }], 'odd key "\\': 1.5 }, callbackUrl: 'https://client.example/hook', maxCredits: 20 },
  ],
  ['with metadata that is a string, a number, null or an array', { ...queued, metadata: 'x' }],
  ['metadata a number', { ...queued, metadata: 0 }],
  ['metadata null', { ...queued, metadata: null }],
  ['metadata an array', { ...queued, metadata: [1, [2, [3]]] }],
  ['callbackUrl left out', (({ callbackUrl: _, ...rest }) => rest)(queued)],
  [
    'a request with a chain and nested fields',
    {
      ...queued,
      request: {
        prompt: 'p',
        // biome-ignore lint/suspicious/noThenProperty: the chain field is named `then` by the API (issue 12)
        then: [
          { kind: 'upscale', resolution: '1080p' },
          { kind: 'extend', prompt: 'more' },
        ],
        referenceImages: [],
      },
    },
  ],
  [
    'a succeeded video with its clip and follow-ups',
    {
      ...queued,
      status: 'succeeded',
      account: 'acct_1',
      upstreamJobId: 'up_1',
      attempts: 2,
      followUps: ['job_2', 'job_3'],
      result: { videos: [archivedClip, { ...archivedClip, archive: { status: 'pending' } }], remainingCredits: 980 },
      credits: 20,
      completedAt: '2026-11-28T04:05:00.000Z',
    },
  ],
  ['an image job with its images', { ...queued, kind: 'image', status: 'succeeded', result: { videos: [], images: [image], remainingCredits: null } }],
  ['a failed job', { ...queued, status: 'failed', error: { code: 'content_policy', message: 'refused: "prompt"' }, completedAt: '2026-11-28T04:05:00.000Z' }],
  // A replayed answer comes back from jsonb with its keys in another order.
  ['keys in another order (a replay from jsonb)', Object.fromEntries(Object.entries(queued).reverse())],
];

describe('stringifyJob', () => {
  it.each(cases)('%s: the same JSON as the zod serializer', (_name, job) => {
    const text = stringifyJob(job as never);
    expect(JSON.parse(text)).toStrictEqual(JSON.parse(zodJson(job)));
    // Only the order of the keys may differ (fast-json-stringify writes the optional ones last).
    expect(text.length).toBe(zodJson(job).length);
  });

  it('refuses an error the schema does not allow, as the zod serializer does', () => {
    const bad = { ...queued, status: 'failed', error: { code: 'not_a_code', message: 'x' } };
    expect(() => zodJson(bad)).toThrow();
    expect(() => stringifyJob(bad as never)).toThrow();
  });

  it('leaves out keys the schema does not name, as the zod serializer does', () => {
    const withSecret = { ...queued, callbackSecret: 's3cret', ownerKey: 'key_1' };
    expect(stringifyJob(withSecret as never)).not.toContain('s3cret');
    expect(JSON.parse(stringifyJob(withSecret as never))).toStrictEqual(JSON.parse(zodJson(withSecret)));
  });

  it('jobSerializerFor: the compiled serializer for the job status, the zod one for the other answers', () => {
    const compile = jobSerializerFor('202');
    expect(compile({ schema: jobSchema, method: 'POST', url: '/v1/jobs', httpStatus: '202' } as never)).toBe(stringifyJob);
    const error = { error: { code: 'validation_failed', message: 'prompt: required', field: 'prompt' } };
    const forError = compile({ schema: errorSchema, method: 'POST', url: '/v1/jobs', httpStatus: '400' } as never) as (data: unknown) => string;
    expect(forError(error)).toBe(JSON.stringify(error));
  });
});
