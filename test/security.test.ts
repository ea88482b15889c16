import { createHash } from 'node:crypto';
import { apiKeys, idempotencyKeys, jobs } from '@flowq/db';
import { waitFor } from '@flowq/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyService, API_KEY_CACHE_MS } from '../apps/api/src/services/api-key-service';
import { buildTestApp } from '../apps/api/src/test-app';

let t: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  t = await buildTestApp('security');
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

describe('API keys stored hashed, created and revoked by admins', () => {
  it('creates a key shown once, stores only its SHA-256, and lists keys without secrets', async () => {
    const res = await call('POST', '/v1/keys', t.auth, { name: 'ci runner' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const created = res.json();
    expect(created).toMatchObject({ name: 'ci runner', admin: false, revokedAt: null, lastUsedAt: null });
    expect(created.id).toMatch(/^key_[0-9a-z]{22}$/);
    expect(created.key).toMatch(/^fq_[A-Za-z0-9_-]{43}$/);

    const [row] = await t.db.db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(row!.hash).toBe(createHash('sha256').update(created.key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(created.key);

    const list = await call('GET', '/v1/keys', t.auth);
    expect(list.statusCode).toBe(200);
    const listed = list.json().items.find((k: { id: string }) => k.id === created.id);
    expect(listed).toEqual({ id: created.id, name: 'ci runner', admin: false, createdAt: created.createdAt, revokedAt: null, lastUsedAt: null });
    expect(list.body).not.toContain(created.key);
    expect(list.body).not.toContain(row!.hash);
  });

  it('answers 401 without a key and for an unknown one, 403 when a non-admin key uses admin routes', async () => {
    const user = await createKey('user');
    expect((await call('GET', '/v1/jobs', {})).statusCode).toBe(401);
    expect((await call('GET', '/v1/jobs', bearer('fq_made-up-key'))).json().error.code).toBe('unauthorized');
    expect((await call('GET', '/v1/jobs', { authorization: `Basic ${user.key}` })).statusCode).toBe(401);
    expect((await call('GET', '/v1/jobs', bearer(user.key))).statusCode).toBe(200);
    for (const [method, url, body] of [
      ['GET', '/v1/keys'],
      ['POST', '/v1/keys', { name: 'escalate', admin: true }],
      ['DELETE', `/v1/keys/${user.id}`],
      ['GET', '/v1/accounts'],
      ['POST', '/v1/accounts', { email: 'x@flowq.test' }],
    ] as [Method, string, unknown?][]) {
      const res = await call(method, url, bearer(user.key), body);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    // Bull Board keeps its own admin gate: an API key is not its password.
    expect((await call('GET', '/admin/queues', bearer(user.key))).statusCode).toBe(401);
    const admin = await createKey('second admin', true);
    expect((await call('GET', '/v1/accounts', bearer(admin.key))).statusCode).toBe(200);
    expect((await call('GET', '/v1/keys', bearer(admin.key))).statusCode).toBe(200);
  });

  it('validates the create body, 404s an unknown key and 409s a second revoke', async () => {
    const bad = await call('POST', '/v1/keys', t.auth, { name: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe('name');
    expect((await call('POST', '/v1/keys', t.auth, { name: 'x', admin: 'yes' })).json().error.field).toBe('admin');
    expect((await call('DELETE', '/v1/keys/key_nope', t.auth)).statusCode).toBe(404);
    const k = await createKey('twice');
    expect((await call('DELETE', `/v1/keys/${k.id}`, t.auth)).statusCode).toBe(200);
    expect((await call('DELETE', `/v1/keys/${k.id}`, t.auth)).statusCode).toBe(409);
  });

  it('a revoked key is refused at once by the process that revoked it', async () => {
    const k = await createKey('short-lived');
    expect((await call('GET', '/v1/jobs', bearer(k.key))).statusCode).toBe(200);
    const revoked = await call('DELETE', `/v1/keys/${k.id}`, t.auth);
    expect(revoked.json()).toMatchObject({ id: k.id, revokedAt: expect.any(String) });
    expect((await call('GET', '/v1/jobs', bearer(k.key))).statusCode).toBe(401);
  });

  it('another process trusts its cached lookup for at most API_KEY_CACHE_MS after a revoke, and records use at most once a minute', async () => {
    let now = 1_000_000;
    const other = createApiKeyService({ database: t.db, logger: t.app.log as never, config: t.config }, () => now);
    const k = await createKey('cached');
    expect(await other.authenticate(k.key)).toEqual({ id: k.id, admin: false });
    await t.db.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, k.id));
    now += API_KEY_CACHE_MS - 1;
    expect(await other.authenticate(k.key)).toEqual({ id: k.id, admin: false });
    now += 2;
    expect(await other.authenticate(k.key)).toBeNull();
  });

  it('records when a key was last used', async () => {
    const k = await createKey('touched');
    await call('GET', '/v1/jobs', bearer(k.key));
    await expect.poll(async () => (await t.db.db.select().from(apiKeys).where(eq(apiKeys.id, k.id)))[0]!.lastUsedAt).not.toBeNull();
  });
});

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

describe('Idempotency-Key on POST /v1/jobs and POST /v1/batches', () => {
  const post = (body: unknown, key?: string, auth = t.auth) =>
    call('POST', '/v1/jobs', { ...auth, ...(key === undefined ? {} : { 'idempotency-key': key }) }, body);
  const jobsWithPrompt = async (prompt: string) => (await t.db.db.select().from(jobs)).filter((j) => j.request.prompt === prompt);

  it('answers the same key and body with the original answer, creating one job', async () => {
    const first = await post({ prompt: 'idem one', count: 2 }, 'k-1');
    expect(first.statusCode).toBe(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // Key order does not make it another request.
    const again = await post({ count: 2, prompt: 'idem one' }, 'k-1');
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.json()).toEqual(first.json());
    expect(await jobsWithPrompt('idem one')).toHaveLength(1);
  });

  it('409s the same key with another body, and keys are per API key', async () => {
    expect((await post({ prompt: 'idem two' }, 'k-2')).statusCode).toBe(202);
    const other = await post({ prompt: 'idem two, changed' }, 'k-2');
    expect(other.statusCode).toBe(409);
    expect(other.json().error).toMatchObject({ code: 'conflict', field: 'Idempotency-Key' });
    expect(other.json().error.message).toMatch(/different request/);
    expect(await jobsWithPrompt('idem two, changed')).toHaveLength(0);
    const user = await createKey('idem user');
    const theirs = await post({ prompt: 'idem two, changed' }, 'k-2', bearer(user.key));
    expect(theirs.statusCode).toBe(202);
  });

  it('400s an empty or too long key', async () => {
    for (const key of ['', '   ', 'x'.repeat(256)]) {
      const res = await post({ prompt: 'idem bad key' }, key);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toBe('Idempotency-Key');
    }
    expect((await post({ prompt: 'idem long ok' }, 'y'.repeat(255))).statusCode).toBe(202);
    expect(await jobsWithPrompt('idem bad key')).toHaveLength(0);
  });

  it('concurrent duplicates: one creates the job, the others are replayed or told it is in progress', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => post({ prompt: 'idem race' }, 'k-race')));
    const created = await jobsWithPrompt('idem race');
    expect(created).toHaveLength(1);
    for (const a of answers) {
      if (a.statusCode === 202) expect(a.json().id).toBe(created[0]!.id);
      else {
        expect(a.statusCode).toBe(409);
        expect(a.json().error.message).toMatch(/still in progress/);
      }
    }
    expect(answers.filter((a) => a.statusCode === 202 && !a.headers['idempotent-replayed'])).toHaveLength(1);
  });

  it('forgets an answer after 24 hours', async () => {
    const first = (await post({ prompt: 'idem old' }, 'k-old')).json();
    await t.db.db
      .update(idempotencyKeys)
      .set({ createdAt: new Date(Date.now() - 25 * 3_600_000) })
      .where(and(eq(idempotencyKeys.key, 'k-old')));
    const later = await post({ prompt: 'idem old' }, 'k-old');
    expect(later.statusCode).toBe(202);
    expect(later.json().id).not.toBe(first.id);
  });

  it('a key claimed by a process that died is taken over after 15 minutes, not before', async () => {
    const owner = (await call('GET', '/v1/jobs?limit=1', t.auth)).json().items[0].id as string;
    const [row] = await t.db.db.select().from(jobs).where(eq(jobs.id, owner));
    await t.db.db.insert(idempotencyKeys).values({ ownerKey: row!.ownerKey!, key: 'k-dead', requestHash: '', createdAt: new Date(Date.now() - 60_000) });
    expect((await post({ prompt: 'idem dead' }, 'k-dead')).statusCode).toBe(409);
    await t.db.db
      .update(idempotencyKeys)
      .set({ createdAt: new Date(Date.now() - 16 * 60_000) })
      .where(eq(idempotencyKeys.key, 'k-dead'));
    expect((await post({ prompt: 'idem dead' }, 'k-dead')).statusCode).toBe(202);
  });

  const postBatch = (payload: string | Buffer, contentType: string, key: string, query = '') =>
    t.app.inject({ method: 'POST', url: `/v1/batches${query}`, headers: { ...t.auth, 'content-type': contentType, 'idempotency-key': key }, payload });
  const multipart = (boundary: string, csv: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;

  it('replays a CSV batch upload, also when the same file comes in another multipart envelope', async () => {
    const csv = 'prompt\nidem batch row 1\nidem batch row 2\n';
    const first = await postBatch(csv, 'text/csv', 'b-1');
    expect(first.statusCode).toBe(201);
    const again = await postBatch(csv, 'text/csv', 'b-1');
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect((await postBatch('prompt\nidem batch other\n', 'text/csv', 'b-1')).statusCode).toBe(409);
    expect((await postBatch(csv, 'text/csv', 'b-1', '?name=renamed')).statusCode).toBe(409);

    const m1 = await postBatch(multipart('aaa111', csv), 'multipart/form-data; boundary=aaa111', 'b-2');
    expect(m1.statusCode).toBe(201);
    const m2 = await postBatch(multipart('zzz999', csv), 'multipart/form-data; boundary=zzz999', 'b-2');
    expect(m2.statusCode).toBe(201);
    expect(m2.json().id).toBe(m1.json().id);
    expect(await jobsWithPrompt('idem batch row 1')).toHaveLength(2);
  });

  it('replays a JSON batch and lets a key be used again after a refused upload', async () => {
    const body = { name: 'idem json', items: [{ prompt: 'idem json row' }] };
    const first = await postBatch(JSON.stringify(body), 'application/json', 'b-3');
    const again = await postBatch(JSON.stringify({ items: body.items, name: body.name }), 'application/json', 'b-3');
    expect(again.json().id).toBe(first.json().id);

    const refused = await postBatch('prompt,count\nbad,9\n', 'text/csv', 'b-4');
    expect(refused.statusCode).toBe(422);
    const fixed = await postBatch('prompt,count\ngood,1\n', 'text/csv', 'b-4');
    expect(fixed.statusCode).toBe(201);
  });
});

describe('limits and answers that leak nothing', () => {
  it('413s a JSON body over 1 MB', async () => {
    const res = await call('POST', '/v1/jobs', t.auth, { prompt: 'x'.repeat(1_100_000) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('fst_err_ctp_body_too_large');
  });

  it('sets security headers on /docs and /admin, with a CSP both pages load under', async () => {
    const docs = await t.app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    const csp = String(docs.headers['content-security-policy']);
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).not.toMatch(/upgrade-insecure-requests/);
    expect(docs.headers['x-content-type-options']).toBe('nosniff');
    expect(docs.headers['x-frame-options']).toBe('DENY');
    expect(docs.headers['referrer-policy']).toBe('no-referrer');
    // Every inline script of the page is allowed by its hash; every other one is same-origin.
    const html = docs.body;
    for (const [, attrs, body] of html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
      if (/src=/.test(attrs!)) expect(attrs).not.toMatch(/src="(https?:)?\/\//);
      else if (body!.trim()) expect(csp).toContain(`'sha256-${createHash('sha256').update(body!).digest('base64')}'`);
    }
    const initializer = await t.app.inject('/docs/static/swagger-initializer.js');
    expect(initializer.statusCode).toBe(200);
    expect(initializer.headers['content-security-policy']).toBeDefined();

    const right = `Basic ${Buffer.from('admin:board-pw').toString('base64')}`;
    const board = await t.app.inject({ url: '/admin/queues', headers: { authorization: right } });
    expect(board.statusCode).toBe(200);
    const boardCsp = String(board.headers['content-security-policy']);
    expect(boardCsp).toMatch(/script-src 'self'/);
    expect(boardCsp).toMatch(/frame-ancestors 'none'/);
    expect(boardCsp).not.toMatch(/upgrade-insecure-requests/);
    expect(board.headers['x-frame-options']).toBe('DENY');
    for (const [, attrs, body] of board.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
      // Bull Board runs only its own files; its one inline block is JSON data, which CSP does not execute.
      if (body!.trim()) expect(attrs).toMatch(/type="application\/json"/);
      else expect(attrs).toMatch(/src="static\//);
    }
    const boardJs = board.body.match(/src="(static\/js\/main[^"]+)"/)![1];
    expect((await t.app.inject({ url: `/admin/queues/${boardJs}`, headers: { authorization: right } })).statusCode).toBe(200);
    // The JSON API keeps no HTML headers it does not need, and the unauthenticated board page shows nothing.
    expect((await t.app.inject('/admin/queues')).statusCode).toBe(401);
  });
});

describe('rate limiting per API key', () => {
  let limited: Awaited<ReturnType<typeof buildTestApp>>;
  beforeAll(async () => {
    limited = await buildTestApp('security-rate', { RATE_LIMIT_PER_MINUTE: '5' });
    // Until the producer connection is up, counting fails and requests pass (the limiter skips on Redis errors).
    await waitFor(() => limited.redis.status === 'ready', { timeoutMs: 5_000, what: 'redis to connect' });
  });
  afterAll(async () => limited?.close());

  it('429s past the budget with rate_limited and Retry-After, counted in Redis per key', async () => {
    const get = (auth: Record<string, string>) => limited.app.inject({ url: '/v1/jobs', headers: auth });
    for (let i = 0; i < 5; i++) expect((await get(limited.auth)).statusCode).toBe(200);
    const over = await get(limited.auth);
    expect(over.statusCode).toBe(429);
    expect(over.json().error).toMatchObject({ code: 'rate_limited' });
    expect(over.json().error.message).toMatch(/5 a minute/);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another key has its own budget.
    expect((await get(bearer('second-key-abcdefghijkl'))).statusCode).toBe(200);
    const keys = await limited.redis.keys(`${limited.config.redis.prefix}:rate-limit:*`);
    expect(keys).toHaveLength(2);
    // A request without a key is refused by auth before it spends anything.
    expect((await get({})).statusCode).toBe(401);
  });
});

describe('5xx answers carry no details', () => {
  it('answers a bare internal_error when a query fails unexpectedly, without a stack or the cause', async () => {
    const broken = await buildTestApp('security-500');
    try {
      // A schema the code does not expect: every jobs query fails with a Postgres error naming the table.
      await broken.db.pool.query('alter table jobs rename to jobs_gone');
      const res = await broken.app.inject({ url: '/v1/jobs', headers: broken.auth });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'internal_error', message: 'Internal server error' } });
      const created = await broken.app.inject({ method: 'POST', url: '/v1/jobs', headers: broken.auth, payload: { prompt: 'x' } });
      expect(created.statusCode).toBe(500);
      for (const body of [res.body, created.body]) expect(body).not.toMatch(/jobs|relation|select|insert|at \w+ \(|\.ts:\d+/i);
    } finally {
      await broken.close();
    }
  });
});

describe('bugs the fuzzer found, fixed', () => {
  const post = (url: string, payload: string | Buffer, type = 'application/json') =>
    t.app.inject({ method: 'POST', url, headers: { ...t.auth, 'content-type': type }, payload });

  it('a NUL character in a JSON string is a 400 naming the field, not a 500 from Postgres', async () => {
    const res = await post('/v1/jobs', JSON.stringify({ prompt: 'a\u0000b' }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field: 'prompt' });
    expect((await post('/v1/jobs', JSON.stringify({ prompt: 'x', metadata: { note: ['ok', '\u0000'] } }))).json().error.field).toBe('metadata.note.1');
    expect((await post('/v1/batches', JSON.stringify({ items: [{ prompt: 'ok' }, { prompt: '\u0000' }] }))).json().error.field).toBe('items.1.prompt');
  });

  it('a lone surrogate in a JSON string is a 400, not a 500 from jsonb', async () => {
    const res = await post('/v1/jobs', '{"prompt":"\\udfff"}');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('prompt');
  });

  it('%00 in a path id is a 400, not a 500', async () => {
    for (const url of ['/v1/jobs/%00', '/v1/batches/%00/results', '/v1/accounts/%00']) {
      expect((await t.app.inject({ url, headers: t.auth })).statusCode, url).toBe(400);
    }
    expect((await post('/v1/webhooks/useapi/%00/x', '{}')).statusCode).toBe(400);
  });

  it('JSON nested deeper than 64 levels is a 400 before validation walks it', async () => {
    const deep = `{"prompt":"x","metadata":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
    const res = await post('/v1/jobs', deep);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/nested deeper than 64/);
  });

  it('POST /v1/batches without a body, or with a multipart body without a boundary, is a 400', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/v1/batches', headers: t.auth })).statusCode).toBe(400);
    expect((await post('/v1/batches', 'x', 'multipart/form-data')).statusCode).toBe(400);
    expect(
      (await post('/v1/batches', '--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nprompt\n', 'multipart/form-data; boundary=x')).statusCode,
    ).toBe(400);
  });

  it('a multipart part without Content-Disposition larger than the parser buffer is a 400, not a request left hanging', async () => {
    const payload = Buffer.concat([Buffer.from('--b\r\n\r\n'), Buffer.alloc(100_000, 'x'), Buffer.from('\r\n--b--\r\n')]);
    const res = await post('/v1/batches', payload, 'multipart/form-data; boundary=b');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/multipart body could not be read/);
  });

  it('a NUL byte past the first 64 KB of a CSV upload is a 400, not a 500', async () => {
    const csv = Buffer.concat([Buffer.from(`prompt\n${'a long prompt\n'.repeat(6_000)}`), Buffer.from('bad\u0000row\n')]);
    const res = await post('/v1/batches', csv, 'text/csv');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/binary data/);
  });
});
