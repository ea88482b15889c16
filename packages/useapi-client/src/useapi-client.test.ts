import { videoRequestSchema } from '@flowq/core';
import { afterEach, describe, expect, it } from 'vitest';
import { BODIES, JOBID } from './fixtures/upstream-bodies';
import { startStubUpstream, type StubReply } from './fixtures/stub-upstream';
import { createUseapiClient, type UseapiClient } from './useapi-client';

const TOKEN = 'user:1234-tok3n-S3CR3T-value';
const NOW = new Date('2025-11-17T12:00:00.000Z');
let stub: Awaited<ReturnType<typeof startStubUpstream>> | undefined;

afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function clientAnswering(reply: StubReply | (() => StubReply), extra: { timeoutMs?: number; baseUrlSuffix?: string } = {}) {
  stub = await startStubUpstream(typeof reply === 'function' ? reply : () => reply);
  const client = createUseapiClient({ baseUrl: stub.baseUrl + (extra.baseUrlSuffix ?? ''), token: TOKEN, timeoutMs: extra.timeoutMs ?? 5_000, now: () => NOW });
  return { client, seen: stub.seen };
}

const submitRequest = { ...videoRequestSchema.parse({ prompt: 'a cat', count: 2 }), replyUrl: 'https://flowq.example/h/1', replyRef: 'job_1' };

describe('useapi client requests', () => {
  it.each<{ name: string; call: (c: UseapiClient) => Promise<unknown>; reply: StubReply; method: string; rawUrl: string }>([
    {
      name: 'submitVideo',
      call: (c) => c.submitVideo(submitRequest),
      reply: { status: 201, body: BODIES.created201 },
      method: 'POST',
      rawUrl: '/v1/google-flow/videos',
    },
    {
      name: 'getJob puts the jobid in the path unencoded',
      call: (c) => c.getJob(JOBID),
      reply: { status: 200, body: BODIES.completedOperations },
      method: 'GET',
      rawUrl: `/v1/google-flow/jobs/${JOBID}`,
    },
    {
      name: 'listJobs',
      call: (c) => c.listJobs(),
      reply: { status: 200, body: { jobs: [] } },
      method: 'GET',
      rawUrl: '/v1/google-flow/jobs?options=executing',
    },
    {
      name: 'listJobs with an email',
      call: (c) => c.listJobs({ email: 'john+1@example.com' }),
      reply: { status: 200, body: [] },
      method: 'GET',
      rawUrl: '/v1/google-flow/jobs?options=executing&email=john%2B1%40example.com',
    },
    {
      name: 'listJobs of the recent history',
      call: (c) => c.listJobs({ email: 'a@b.co', executing: false }),
      reply: { status: 200, body: { accounts: {}, jobs: [] } },
      method: 'GET',
      rawUrl: '/v1/google-flow/jobs?options=history&email=a%40b.co',
    },
    {
      name: 'uploadAsset encodes the email',
      call: (c) => c.uploadAsset('john+1@example.com', new Uint8Array([137, 80, 78, 71]), 'image/png'),
      reply: { status: 200, body: BODIES.uploadedAsset },
      method: 'POST',
      rawUrl: '/v1/google-flow/assets/john%2B1%40example.com',
    },
    { name: 'listAccounts', call: (c) => c.listAccounts(), reply: { status: 200, body: BODIES.accounts }, method: 'GET', rawUrl: '/v1/google-flow/accounts' },
    {
      name: 'getAccount',
      call: (c) => c.getAccount('john@example.com'),
      reply: { status: 200, body: BODIES.account },
      method: 'GET',
      rawUrl: '/v1/google-flow/accounts/john%40example.com',
    },
  ])('$name', async ({ call, reply, method, rawUrl }) => {
    const { client, seen } = await clientAnswering(reply);
    const answer = await call(client);
    expect(answer).toMatchObject({ ok: true, status: reply.status });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method, rawUrl });
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen[0]!.headers['user-agent']).toBe('flowq-useapi-client');
  });

  it('submits JSON with async: true and reads the 201 record', async () => {
    const { client, seen } = await clientAnswering({ status: 201, body: BODIES.created201 });
    const answer = await client.submitVideo(submitRequest);
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0]!.body.toString())).toEqual({
      prompt: 'a cat',
      model: 'veo-3.1-fast',
      aspectRatio: 'landscape',
      count: 2,
      replyUrl: 'https://flowq.example/h/1',
      replyRef: 'job_1',
      async: true,
    });
    expect(answer).toMatchObject({ ok: true, status: 201, data: { jobid: JOBID, status: 'created', type: 'video' } });
  });

  it('sends the asset bytes raw with their content type', async () => {
    const { client, seen } = await clientAnswering({ status: 200, body: BODIES.uploadedAsset });
    const answer = await client.uploadAsset('john@example.com', new Uint8Array([1, 2, 3, 255]), 'image/jpeg');
    expect(seen[0]!.headers['content-type']).toBe('image/jpeg');
    expect([...seen[0]!.body]).toEqual([1, 2, 3, 255]);
    expect(answer).toMatchObject({ ok: true, data: { mediaGenerationId: BODIES.uploadedAsset.mediaGenerationId.mediaGenerationId } });
  });

  it('tolerates a trailing slash on baseUrl', async () => {
    const { client, seen } = await clientAnswering({ status: 200, body: {} }, { baseUrlSuffix: '/' });
    await client.listAccounts();
    expect(seen[0]!.rawUrl).toBe('/v1/google-flow/accounts');
  });
});

describe('useapi client answers', () => {
  it.each<{ name: string; reply: StubReply; expected: object }>([
    {
      name: '429 with a Retry-After header',
      reply: { status: 429, body: BODIES.throttled429, headers: { 'retry-after': '30' } },
      expected: {
        ok: false,
        status: 429,
        error: {
          kind: 'http',
          reason: 'PUBLIC_ERROR_USER_REQUESTS_THROTTLED',
          googleStatus: 'RESOURCE_EXHAUSTED',
          code: 429,
          retryAfter: new Date(NOW.getTime() + 30_000),
        },
      },
    },
    {
      name: '429 no_eligible_account: retryAfter from the body',
      reply: { status: 429, body: BODIES.noEligible429, headers: { 'retry-after': '1' } },
      expected: { ok: false, error: { reason: 'no_eligible_account', retryAfter: new Date(BODIES.noEligible429.retryAfter), raw: BODIES.noEligible429 } },
    },
    {
      name: '400 string error',
      reply: { status: 400, body: BODIES.plain400 },
      expected: { ok: false, status: 400, error: { message: BODIES.plain400.error, raw: BODIES.plain400 } },
    },
    { name: '503 captcha', reply: { status: 503, body: BODIES.captcha503 }, expected: { ok: false, status: 503, error: { code: 503 } } },
    { name: '596', reply: { status: 596, body: BODIES.session596 }, expected: { ok: false, status: 596, error: { message: BODIES.session596.error } } },
    {
      name: '201 that is not a job record',
      reply: { status: 201, body: { hello: 'world' } },
      expected: { ok: false, status: 201, error: { kind: 'bad_response', raw: { hello: 'world' } } },
    },
    {
      name: '200 HTML',
      reply: { status: 200, body: '<html></html>' },
      expected: { ok: false, status: 200, error: { kind: 'bad_response', raw: '<html></html>' } },
    },
  ])('$name', async ({ reply, expected }) => {
    const { client } = await clientAnswering(reply);
    expect(await client.submitVideo(submitRequest)).toMatchObject(expected);
  });

  it('turns a hung server into a timeout answer', async () => {
    const { client } = await clientAnswering({ status: 200, hang: true }, { timeoutMs: 150 });
    const started = Date.now();
    expect(await client.getJob(JOBID)).toEqual({ ok: false, status: 0, error: { kind: 'timeout', message: 'request timed out', raw: null } });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('turns a refused connection into a network answer', async () => {
    const { origin } = (stub = await startStubUpstream(() => ({ status: 200 })));
    await stub.close();
    stub = undefined;
    const client = createUseapiClient({ baseUrl: `${origin}/v1/google-flow`, token: TOKEN });
    const answer = await client.listAccounts();
    expect(answer).toMatchObject({ ok: false, status: 0, error: { kind: 'network' } });
    expect(answer.ok ? '' : answer.error.message).toMatch(/ECONNREFUSED/);
  });

  it('never throws, whatever the method', async () => {
    const { client } = await clientAnswering({ status: 500, body: BODIES.internal500 });
    const answers = await Promise.all([
      client.submitVideo(submitRequest),
      client.getJob(JOBID),
      client.listJobs(),
      client.uploadAsset('a@b.co', new Uint8Array(1), 'image/png'),
      client.listAccounts(),
      client.getAccount('a@b.co'),
    ]);
    for (const a of answers) expect(a).toMatchObject({ ok: false, status: 500, error: { kind: 'http', googleStatus: 'INTERNAL' } });
  });

  it('never carries the token, even when the upstream echoes it', async () => {
    const { client } = await clientAnswering(() => ({ status: 400, body: { error: `bad header Bearer ${TOKEN}` } }));
    const answer = await client.getJob(JOBID);
    expect(JSON.stringify(answer)).not.toContain(TOKEN);
    expect(JSON.stringify(client)).not.toContain(TOKEN);
    expect(answer).toMatchObject({ ok: false, error: { message: 'bad header Bearer [REDACTED]' } });
  });
});
