import { waitFor } from '@flowq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test-app';
import { BOARD_LOGIN_FAILURES_PER_WINDOW } from './login-throttle';

let a: Awaited<ReturnType<typeof buildTestApp>>;
let b: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  a = await buildTestApp('board-throttle');
  // A second API process on the same Redis prefix, as behind a load balancer.
  b = await buildTestApp('board-throttle-b', { REDIS_PREFIX: a.config.redis.prefix });
  await waitFor(() => a.redis.status === 'ready' && b.redis.status === 'ready', { timeoutMs: 5_000, what: 'redis to connect' });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const board = (t: typeof a, headers: Record<string, string>, remoteAddress: string) => t.app.inject({ url: '/admin/queues', headers, remoteAddress });

describe('Bull Board login throttle', () => {
  it('wrong passwords are throttled per address, 10 a minute then 429 with Retry-After, counted across API processes (was unlimited)', async () => {
    const attacker = '10.9.8.7';
    for (let i = 0; i < BOARD_LOGIN_FAILURES_PER_WINDOW; i++) {
      const res = await board(i % 2 ? a : b, basic('admin', `guess-${i}`), attacker);
      expect(res.statusCode, `attempt ${i + 1}`).toBe(401);
    }
    for (const t of [a, b]) {
      const refused = await board(t, basic('admin', 'guess-more'), attacker);
      expect(refused.statusCode, refused.body).toBe(429);
      expect(refused.json().error.code).toBe('rate_limited');
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    // Even the right password waits out the window from that address...
    expect((await board(a, basic('admin', 'board-pw'), attacker)).statusCode).toBe(429);
    // ...while another address logs in as usual.
    expect((await board(a, basic('admin', 'board-pw'), '10.1.1.1')).statusCode).toBe(200);
  });

  it('a browser asking without credentials is not counted as a failed login', async () => {
    for (let i = 0; i < BOARD_LOGIN_FAILURES_PER_WINDOW + 5; i++) expect((await board(a, {}, '10.2.2.2')).statusCode).toBe(401);
    expect((await board(a, basic('admin', 'board-pw'), '10.2.2.2')).statusCode).toBe(200);
  });
});
