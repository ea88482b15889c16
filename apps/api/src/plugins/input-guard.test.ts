import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test-app';

let t: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  t = await buildTestApp('input-guard');
});
afterAll(async () => t?.close());

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
