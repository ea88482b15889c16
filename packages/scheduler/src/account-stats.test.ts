import { afterAll, describe, expect, it } from 'vitest';
import { createAccountStats } from './account-stats';
import { coolOff } from './cool-off-policy';
import { createTestRedis } from './test-redis';

const t = createTestRedis('stats');
afterAll(() => t.cleanup());

let n = 0;
const freshStats = (windowMs?: number) => createAccountStats(t.redis, { prefix: `${t.prefix}:${n++}`, ...(windowMs ? { windowMs } : {}) });
const T = Date.UTC(2025, 10, 20, 12);
const MIN = 60_000;

describe('AccountStats', () => {
  it('counts outcomes in the last 15 minutes and in total', async () => {
    const stats = freshStats();
    await stats.record('a@x.com', 'succeeded', { at: T - 20 * MIN, generationMs: 100_000 });
    await stats.record('a@x.com', 'succeeded', { at: T - 5 * MIN, generationMs: 50_000 });
    await stats.record('a@x.com', 'succeeded', { at: T - 5 * MIN });
    await stats.record('a@x.com', 'failed', { at: new Date(T - MIN) });
    await stats.record('a@x.com', 'throttled', { at: T - 16 * MIN });
    await stats.record('a@x.com', 'throttled', { at: T });
    await stats.record('b@x.com', 'failed', { at: T });

    expect(await stats.read(['a@x.com', 'b@x.com', 'new@x.com'], T)).toEqual([
      {
        email: 'a@x.com',
        recent: { succeeded: 2, failed: 1, throttled: 1 },
        total: { succeeded: 3, failed: 1, throttled: 2 },
        meanGenerationMs: 75_000,
      },
      { email: 'b@x.com', recent: { succeeded: 0, failed: 1, throttled: 0 }, total: { succeeded: 0, failed: 1, throttled: 0 }, meanGenerationMs: null },
      { email: 'new@x.com', recent: { succeeded: 0, failed: 0, throttled: 0 }, total: { succeeded: 0, failed: 0, throttled: 0 }, meanGenerationMs: null },
    ]);
  });

  it('lets old outcomes slide out of the window', async () => {
    const stats = freshStats();
    await stats.record('a@x.com', 'failed', { at: T });
    expect((await stats.read(['a@x.com'], T + 15 * MIN - 1))[0]!.recent.failed).toBe(1);
    expect((await stats.read(['a@x.com'], T + 15 * MIN))[0]!.recent.failed).toBe(0);
    expect((await stats.read(['a@x.com'], T + 15 * MIN))[0]!.total.failed).toBe(1);
  });

  it('keeps two outcomes recorded in the same millisecond apart', async () => {
    const stats = freshStats();
    await Promise.all([1, 2, 3].map(() => stats.record('a@x.com', 'throttled', { at: T })));
    expect((await stats.read(['a@x.com'], T))[0]!.recent.throttled).toBe(3);
  });

  it('uses the Redis clock when no time is given', async () => {
    const stats = freshStats();
    await stats.record('a@x.com', 'succeeded', { generationMs: 1234.4 });
    const [row] = await stats.read(['a@x.com']);
    expect(row).toMatchObject({ recent: { succeeded: 1 }, meanGenerationMs: 1234 });
    const [later] = await stats.read(['a@x.com'], Date.now() + 16 * MIN);
    expect(later!.recent.succeeded).toBe(0);
  });

  it('honours a configured window', async () => {
    const stats = freshStats(MIN);
    await stats.record('a@x.com', 'failed', { at: T - 2 * MIN });
    await stats.record('a@x.com', 'failed', { at: T - 30_000 });
    expect((await stats.read(['a@x.com'], T))[0]!.recent.failed).toBe(1);
  });

  it('lists recent throttles oldest first, feeding the cool-off policy', async () => {
    const stats = freshStats();
    for (const ago of [20, 8, 4, 1]) await stats.record('a@x.com', 'throttled', { at: T - ago * MIN });
    const at = await stats.throttledAt('a@x.com', T);
    expect(at).toEqual([T - 8 * MIN, T - 4 * MIN, T - MIN].map((ms) => new Date(ms)));
    expect(coolOff(at, new Date(T))).toEqual({ coolUntil: new Date(T - MIN + 3 * 60 * MIN) });
    expect(await stats.throttledAt('other@x.com', T)).toEqual([]);
  });

  it('refuses an unknown outcome', async () => {
    await expect(freshStats().record('a@x.com', 'exploded' as never)).rejects.toThrow(RangeError);
  });
});
