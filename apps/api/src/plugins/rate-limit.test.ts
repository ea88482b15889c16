import { waitFor } from '@flowq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test-app';

let t: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  t = await buildTestApp('rate-limit');
});
afterAll(async () => t?.close());

type Method = 'GET' | 'POST' | 'DELETE';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
function call(method: Method, url: string, headers: Record<string, string>, payload?: unknown) {
  return t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

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

describe('the rate limit runs before the body is parsed', () => {
  let limited: Awaited<ReturnType<typeof buildTestApp>>;
  beforeAll(async () => {
    limited = await buildTestApp('rate-first', { RATE_LIMIT_PER_MINUTE: '2' });
    await waitFor(() => limited.redis.status === 'ready', { timeoutMs: 5_000, what: 'redis to connect' });
  });
  afterAll(async () => limited?.close());

  it('a rate-limited key gets 429 for an invalid body too, not a 400 from validation', async () => {
    const post = (payload: string) =>
      limited.app.inject({ method: 'POST', url: '/v1/jobs', headers: { ...limited.auth, 'content-type': 'application/json' }, payload });
    expect((await post('{"prompt":1}')).statusCode).toBe(400);
    expect((await post('{"prompt":1}')).statusCode).toBe(400);
    const over = await post('{"prompt":1}');
    expect(over.statusCode).toBe(429);
    expect(over.json().error.code).toBe('rate_limited');
    expect((await post('{not json')).statusCode).toBe(429);
  });
});
