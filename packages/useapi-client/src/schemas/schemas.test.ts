import { describe, expect, it } from 'vitest';
import { BODIES, JOBID } from '../fixtures/upstream-bodies';
import { accountListSchema, accountSchemaFor } from './account';
import { uploadedAssetSchema } from './asset';
import { jobListSchema, jobRecordSchema } from './job-record';

describe('jobRecordSchema', () => {
  it.each([
    { name: '201 created (jobid)', body: BODIES.created201, status: 'created' },
    { name: 'sync 200 (jobId, no record)', body: BODIES.sync200, status: 'completed' },
    { name: 'completed, operations shape', body: BODIES.completedOperations, status: 'completed' },
    { name: 'completed, media shape', body: BODIES.completedMedia, status: 'completed' },
    { name: 'failed', body: BODIES.failedJob, status: 'failed' },
    { name: 'record spelled jobId', body: { ...BODIES.completedMedia, jobid: undefined, jobId: JOBID }, status: 'completed' },
    {
      name: 'started, nulls for absent fields',
      body: { jobid: JOBID, type: 'video', status: 'started', created: 'x', updated: null, request: null, response: null, error: null, code: null },
      status: 'started',
    },
  ])('accepts $name', ({ body, status }) => {
    const rec = jobRecordSchema.parse(body);
    expect(rec).toMatchObject({ jobid: JOBID, status });
    expect(rec.request).toBeTypeOf('object');
  });

  it.each([
    { name: 'no jobid', body: { ...BODIES.created201, jobid: undefined } },
    { name: 'unknown status', body: { ...BODIES.created201, status: 'queued' } },
    { name: 'completed video without videos', body: { ...BODIES.completedMedia, response: { foo: 1 } } },
    { name: 'not an object', body: 'OK' },
  ])('rejects $name', ({ body }) => {
    expect(jobRecordSchema.safeParse(body).success).toBe(false);
  });
});

describe('jobListSchema', () => {
  it.each([
    { name: '{ jobs: [...] }', body: { jobs: [BODIES.created201, { jobId: 'j2v-u1-email:a@b.c-bot:google-flow' }] } },
    { name: 'a bare array', body: [BODIES.created201, { jobId: 'j2v-u1-email:a@b.c-bot:google-flow' }] },
  ])('accepts $name', ({ body }) => {
    expect(jobListSchema.parse(body)).toMatchObject([
      { jobid: JOBID, status: 'created', email: 'jo***@gmail.com' },
      { jobid: 'j2v-u1-email:a@b.c-bot:google-flow' },
    ]);
  });
});

describe('uploadedAssetSchema', () => {
  it.each([
    { name: 'documented nested id', body: BODIES.uploadedAsset },
    { name: 'flat id', body: { ...BODIES.uploadedAsset, mediaGenerationId: BODIES.uploadedAsset.mediaGenerationId.mediaGenerationId } },
  ])('reads $name', ({ body }) => {
    expect(uploadedAssetSchema.parse(body)).toEqual({
      mediaGenerationId: 'user:12345-email:6a6f686e406578616d706c652e636f6d-image:0b5c',
      width: 1024,
      height: 576,
      email: 'john@example.com',
    });
  });
});

describe('account schemas', () => {
  it('reads the accounts map into a list', () => {
    expect(accountListSchema.parse(BODIES.accounts)).toEqual([
      {
        email: 'john@example.com',
        health: 'OK',
        healthy: true,
        created: '2025-11-01T00:00:00.000Z',
        sessionExpires: '2025-12-01T00:00:00.000Z',
        nextRefreshAt: '2025-11-18T00:00:00.000Z',
      },
      { email: 'jane@example.com', health: 'Failed to refresh session', healthy: false, error: 'Failed to refresh session: 500 Internal Server Error' },
    ]);
    expect(accountListSchema.parse({})).toEqual([]);
  });

  it('reads one account with credits', () => {
    expect(accountSchemaFor('john@example.com').parse(BODIES.account)).toMatchObject({
      email: 'john@example.com',
      healthy: true,
      credits: { credits: 18760, userPaygateTier: 'PAYGATE_TIER_TWO' },
      videoModels: [{ key: 'veo-3.1-fast' }, { key: 'veo-3.1-quality' }],
    });
  });

  it('reads the 2026 models.videoModels[] into the models the account may run', () => {
    const body = {
      ...BODIES.account,
      models: {
        videoModels: [
          { key: 'veo-3.1-lite', displayName: 'Veo 3.1 Lite', creditCost: 10, paygateTier: 'PAYGATE_TIER_ONE', accessType: 'STANDARD', framesPerSecond: 24 },
          { key: 'omni-flash', creditCost: null },
          { displayName: 'no key: skipped' },
        ],
      },
    };
    expect(accountSchemaFor('john@example.com').parse(body).videoModels).toEqual([
      { key: 'veo-3.1-lite', creditCost: 10, paygateTier: 'PAYGATE_TIER_ONE', accessType: 'STANDARD' },
      { key: 'omni-flash' },
    ]);
    expect(accountSchemaFor('john@example.com').parse({ ...BODIES.account, models: { images: [] } }).videoModels).toBeUndefined();
  });
});
