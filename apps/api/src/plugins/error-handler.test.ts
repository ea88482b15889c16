import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test-app';

let t: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  t = await buildTestApp('error-handler');
});
afterAll(async () => t?.close());

type Method = 'GET' | 'POST' | 'DELETE';
function call(method: Method, url: string, headers: Record<string, string>, payload?: unknown) {
  return t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

describe('limits and answers that leak nothing', () => {
  it('413s a JSON body over 1 MB', async () => {
    const res = await call('POST', '/v1/jobs', t.auth, { prompt: 'x'.repeat(1_100_000) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toEqual({ code: 'payload_too_large', message: 'body: is larger than the limit of 1048576 bytes', field: 'body' });
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

describe('router-level errors use the one envelope and never echo the request', () => {
  const secretish = 'zz-echo-canary-zz';

  it('an unknown route is a 404 { error: { code, message } } without the URL (was "Route GET /... not found")', async () => {
    const res = await t.app.inject({ url: `/v1/nothing-here/${secretish}?q=${secretish}`, headers: t.auth });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    expect(res.body).not.toContain(secretish);
  });

  it('a path segment over the router limit is a 414 in the envelope, not the whole URL echoed back', async () => {
    const res = await t.app.inject({ url: `/v1/jobs/${secretish}${'a'.repeat(5_000)}`, headers: t.auth });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({ error: { code: 'uri_too_long', message: expect.any(String), field: 'url' } });
    expect(res.body).not.toContain(secretish);
    expect(res.body.length).toBeLessThan(300);
  });

  it('a malformed percent-encoding is a 400 in the envelope, without the URL', async () => {
    const res = await t.app.inject({ url: `/v1/jobs/${secretish}%E0%A4%A`, headers: t.auth });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', field: 'url' });
    expect(res.body).not.toContain(secretish);
  });

  it('malformed JSON and a wrong content type name the problem without quoting the body or the type', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...t.auth, 'content-type': 'application/json' },
      payload: `{"prompt": ${secretish}`,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toEqual({ code: 'validation_failed', message: 'body: is not valid JSON', field: 'body' });
    const type = await t.app.inject({ method: 'POST', url: '/v1/jobs', headers: { ...t.auth, 'content-type': `application/${secretish}` }, payload: 'x' });
    expect(type.statusCode).toBe(415);
    expect(type.json().error.code).toBe('unsupported_media_type');
    for (const res of [bad, type]) expect(res.body).not.toContain(secretish);
  });
});
