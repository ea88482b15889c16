import { jobs } from '@flowq/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test-app';

let t: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  t = await buildTestApp('api-key-auth');
});
afterAll(async () => t?.close());

type Method = 'GET' | 'POST' | 'DELETE';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
function call(method: Method, url: string, headers: Record<string, string>, payload?: unknown) {
  return t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

async function createKey(name: string, admin = false): Promise<{ id: string; key: string }> {
  const res = await call('POST', '/v1/keys', t.auth, { name, admin });
  expect(res.statusCode).toBe(201);
  return res.json();
}

describe('a non-admin key sees and changes only its own jobs and batches', () => {
  let alice: { id: string; key: string };
  let bob: { id: string; key: string };
  let aliceJob: string;
  let aliceBatch: string;
  let adminJob: string;
  beforeAll(async () => {
    alice = await createKey('alice');
    bob = await createKey('bob');
    aliceJob = (await call('POST', '/v1/jobs', bearer(alice.key), { prompt: 'alice 1' })).json().id;
    adminJob = (await call('POST', '/v1/jobs', t.auth, { prompt: 'admin 1' })).json().id;
    const batch = await t.app.inject({
      method: 'POST',
      url: '/v1/batches',
      headers: { ...bearer(alice.key), 'content-type': 'text/csv' },
      payload: 'prompt\nalice row 1\nalice row 2\n',
    });
    expect(batch.statusCode).toBe(201);
    aliceBatch = batch.json().id;
  });

  it('stores the owner on jobs and batch rows', async () => {
    const [row] = await t.db.db.select().from(jobs).where(eq(jobs.id, aliceJob));
    expect(row!.ownerKey).toBe(alice.id);
    const batchJobs = await t.db.db.select().from(jobs).where(eq(jobs.batchId, aliceBatch));
    expect(batchJobs.map((j) => j.ownerKey)).toEqual([alice.id, alice.id]);
  });

  it('404s every read and change of another key’s job or batch, and changes nothing', async () => {
    for (const [method, url] of [
      ['GET', `/v1/jobs/${aliceJob}`],
      ['POST', `/v1/jobs/${aliceJob}/cancel`],
      ['GET', `/v1/jobs/${adminJob}`],
      ['GET', `/v1/batches/${aliceBatch}`],
      ['GET', `/v1/batches/${aliceBatch}/jobs`],
      ['GET', `/v1/batches/${aliceBatch}/results`],
      ['POST', `/v1/batches/${aliceBatch}/cancel`],
      ['POST', `/v1/batches/${aliceBatch}/retry`],
    ] as [Method, string][]) {
      const res = await call(method, url, bearer(bob.key));
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    const [row] = await t.db.db.select().from(jobs).where(eq(jobs.id, aliceJob));
    expect(row!.status).toBe('queued');
    expect((await call('GET', `/v1/batches/${aliceBatch}`, bearer(alice.key))).json().status).toBe('active');
  });

  it('lists only the key’s own jobs and batches; an admin lists everyone’s', async () => {
    const ids = async (url: string, key: Record<string, string>) => (await call('GET', url, key)).json().items.map((i: { id: string }) => i.id);
    const aliceJobs = await ids('/v1/jobs?limit=500', bearer(alice.key));
    expect(aliceJobs).toContain(aliceJob);
    expect(aliceJobs).not.toContain(adminJob);
    expect(aliceJobs).toHaveLength(3);
    expect(await ids('/v1/jobs', bearer(bob.key))).toEqual([]);
    expect(await ids('/v1/batches', bearer(alice.key))).toEqual([aliceBatch]);
    expect(await ids('/v1/batches', bearer(bob.key))).toEqual([]);
    const all = await ids('/v1/jobs?limit=500', t.auth);
    expect(all).toEqual(expect.arrayContaining([aliceJob, adminJob]));
    expect(await ids('/v1/batches', t.auth)).toContain(aliceBatch);
  });

  it('lets the owner and an admin read and cancel', async () => {
    expect((await call('GET', `/v1/jobs/${aliceJob}`, bearer(alice.key))).statusCode).toBe(200);
    expect((await call('GET', `/v1/batches/${aliceBatch}/results?format=json`, bearer(alice.key))).statusCode).toBe(200);
    expect((await call('GET', `/v1/jobs/${aliceJob}`, t.auth)).statusCode).toBe(200);
    const cancelled = await call('POST', `/v1/jobs/${aliceJob}/cancel`, bearer(alice.key));
    expect(cancelled.json().status).toBe('cancelled');
    expect((await call('POST', `/v1/batches/${aliceBatch}/cancel`, t.auth)).json().cancelled).toBe(2);
  });
});

describe('auth runs before the body is parsed or validated', () => {
  const send = (method: 'POST' | 'PATCH', url: string, headers: Record<string, string>, payload: string) =>
    t.app.inject({ method, url, headers: { ...headers, 'content-type': 'application/json' }, payload });

  it('without a key, invalid bodies on admin and job routes answer 401 and name no field (was 400 with field details)', async () => {
    for (const [method, url, payload] of [
      ['POST', '/v1/keys', '{"name":"x","bogus":1}'],
      ['POST', '/v1/accounts', '{}'],
      ['PATCH', '/v1/accounts/someone@flowq.test', '{"bogus":true}'],
      ['POST', '/v1/jobs', '{"prompt":1}'],
      ['POST', '/v1/jobs', '{not json'],
      ['POST', '/v1/batches', '{"items":[0,0,0]}'],
    ] as ['POST' | 'PATCH', string, string][]) {
      const res = await send(method, url, {}, payload);
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
  });

  it('a non-admin key gets 403 on an admin route before its body is validated (was 400)', async () => {
    const user = await createKey('not an admin');
    for (const [method, url, payload] of [
      ['POST', '/v1/keys', '{"name":"x","bogus":1}'],
      ['POST', '/v1/accounts', '{}'],
      ['PATCH', '/v1/accounts/someone@flowq.test', '{"bogus":true}'],
      ['POST', '/v1/accounts/sync', '{"bogus":true}'],
    ] as ['POST' | 'PATCH', string, string][]) {
      const res = await send(method, url, bearer(user.key), payload);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
      expect(res.json().error.field).toBeUndefined();
    }
  });
});
