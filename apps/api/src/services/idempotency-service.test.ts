import { idempotencyKeys, jobs } from '@flowq/db';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test-app';

let t: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  t = await buildTestApp('idempotency');
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
