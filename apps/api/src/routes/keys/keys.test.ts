import { createHash } from 'node:crypto';
import { apiKeys } from '@flowq/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_CACHE_MS, createApiKeyService } from '../../services/api-key-service';
import { buildTestApp } from '../../test-app';

let t: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  t = await buildTestApp('keys');
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
