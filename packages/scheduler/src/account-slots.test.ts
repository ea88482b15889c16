import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { type SlotCandidate, createAccountSlots } from './account-slots';
import { createTestRedis } from './test-redis';

const t = createTestRedis('slots');
afterAll(() => t.cleanup());

let n = 0;
/** Slots under a prefix of their own, so tests in this file never share keys. */
const freshSlots = (redis = t.redis) => createAccountSlots(redis, { prefix: `${t.prefix}:${n++}` });
const T = Date.UTC(2025, 10, 20, 12);
const acct = (email: string, maxConcurrent = 1, maxPerMinute = 100): SlotCandidate => ({ email, maxConcurrent, maxPerMinute });

describe('AccountSlots', () => {
  it('takes the first candidate with room, in the given order', async () => {
    const slots = freshSlots();
    const order = [acct('a@x.com'), acct('b@x.com')];
    expect(await slots.acquire(order, 'l1', { leaseMs: 60_000 })).toMatchObject({ ok: true, email: 'a@x.com' });
    expect(await slots.acquire(order, 'l2', { leaseMs: 60_000 })).toMatchObject({ ok: true, email: 'b@x.com' });
    expect(await slots.acquire([acct('b@x.com'), acct('a@x.com')], 'l3', { leaseMs: 60_000 })).toMatchObject({ ok: false });
  });

  it('gives a lease that already holds a slot the same slot again', async () => {
    const slots = freshSlots();
    const order = [acct('a@x.com', 2), acct('b@x.com', 2)];
    await slots.acquire([acct('b@x.com', 2)], 'l1', { leaseMs: 60_000 });
    expect(await slots.acquire(order, 'l1', { leaseMs: 60_000 })).toMatchObject({ ok: true, email: 'b@x.com' });
    expect(await slots.snapshot(['a@x.com', 'b@x.com'])).toEqual([
      { email: 'a@x.com', running: 0, submittedLastMinute: 0, workingLimit: null },
      { email: 'b@x.com', running: 1, submittedLastMinute: 1, workingLimit: null },
    ]);
  });

  it('never exceeds the limit under 200 concurrent acquires from several connections', async () => {
    const connections = [t.connect(), t.connect(), t.connect(), t.connect()];
    const perConnection = connections.map((c) => createAccountSlots(c, { prefix: `${t.prefix}:race` }));
    const candidates = [acct('a@x.com', 5), acct('b@x.com', 3), acct('c@x.com', 7)];
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => perConnection[i % 4]!.acquire(candidates, `lease-${i}`, { leaseMs: 60_000 })));
    const taken = results.filter((r) => r.ok);
    expect(taken).toHaveLength(15);
    expect(taken.filter((r) => r.ok && r.email === 'a@x.com')).toHaveLength(5);
    expect(await perConnection[0]!.snapshot(['a@x.com', 'b@x.com', 'c@x.com'])).toEqual([
      { email: 'a@x.com', running: 5, submittedLastMinute: 5, workingLimit: null },
      { email: 'b@x.com', running: 3, submittedLastMinute: 3, workingLimit: null },
      { email: 'c@x.com', running: 7, submittedLastMinute: 7, workingLimit: null },
    ]);
  });

  it('never has more holders than slots while 200 workers acquire and release at once', async () => {
    const connections = [t.connect(), t.connect(), t.connect()];
    const prefix = `${t.prefix}:churn`;
    const candidates = [acct('a@x.com', 2, 10_000), acct('b@x.com', 3, 10_000)];
    const holders = new Map<string, number>([
      ['a@x.com', 0],
      ['b@x.com', 0],
    ]);
    const peak = new Map(holders);
    let done = 0;
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const slots = createAccountSlots(connections[i % 3]!, { prefix });
        for (;;) {
          const got = await slots.acquire(candidates, `w-${i}`, { leaseMs: 60_000 });
          if (!got.ok) {
            await sleep(1 + Math.random() * 3);
            continue;
          }
          // Counted only between the grant and the release call, so it can only undercount Redis.
          holders.set(got.email, holders.get(got.email)! + 1);
          peak.set(got.email, Math.max(peak.get(got.email)!, holders.get(got.email)!));
          await sleep(Math.random() * 2);
          holders.set(got.email, holders.get(got.email)! - 1);
          expect(await slots.release(got.email, `w-${i}`)).toBe(true);
          done++;
          return;
        }
      }),
    );
    expect(done).toBe(200);
    expect(peak.get('a@x.com')).toBeLessThanOrEqual(2);
    expect(peak.get('b@x.com')).toBeLessThanOrEqual(3);
    expect(peak.get('a@x.com')! + peak.get('b@x.com')!).toBeGreaterThan(2);
  });

  it('lets an expired lease come back by itself and says when it will', async () => {
    const slots = freshSlots();
    expect(await slots.acquire([acct('a@x.com')], 'crashed', { leaseMs: 1000, now: T })).toMatchObject({ ok: true });
    expect(await slots.acquire([acct('a@x.com')], 'next', { leaseMs: 1000, now: T + 500 })).toEqual({ ok: false, retryAt: T + 1000 });
    expect(await slots.running('a@x.com', { now: T + 999 })).toBe(1);
    expect(await slots.running('a@x.com', { now: T + 1000 })).toBe(0);
    expect(await slots.acquire([acct('a@x.com')], 'next', { leaseMs: 1000, now: T + 1000 })).toMatchObject({ ok: true, email: 'a@x.com' });
  });

  it('lets an expired lease come back on the Redis clock', async () => {
    const slots = freshSlots();
    expect(await slots.acquire([acct('a@x.com')], 'crashed', { leaseMs: 80 })).toMatchObject({ ok: true });
    const blocked = await slots.acquire([acct('a@x.com')], 'next', { leaseMs: 80 });
    expect(blocked.ok).toBe(false);
    if (!blocked.ok) expect(Math.abs(blocked.retryAt - (Date.now() + 80))).toBeLessThan(2_000);
    await sleep(120);
    expect(await slots.acquire([acct('a@x.com')], 'next', { leaseMs: 80 })).toMatchObject({ ok: true });
  });

  it('limits submissions per minute over a sliding window, even when slots are free', async () => {
    const slots = freshSlots();
    const a = acct('a@x.com', 10, 2);
    for (const [i, at] of [T, T + 10_000].entries()) {
      expect(await slots.acquire([a], `l${i}`, { leaseMs: 1000, now: at })).toMatchObject({ ok: true });
      await slots.release('a@x.com', `l${i}`);
    }
    expect(await slots.acquire([a], 'l2', { leaseMs: 1000, now: T + 20_000 })).toEqual({ ok: false, retryAt: T + 60_000 });
    expect(await slots.snapshot(['a@x.com'], { now: T + 20_000 })).toEqual([{ email: 'a@x.com', running: 0, submittedLastMinute: 2, workingLimit: null }]);
    expect(await slots.acquire([a], 'l2', { leaseMs: 1000, now: T + 60_000 })).toMatchObject({ ok: true, email: 'a@x.com' });
    expect(await slots.acquire([a], 'l3', { leaseMs: 1000, now: T + 60_001 })).toEqual({ ok: false, retryAt: T + 70_000 });
  });

  it('reports the earliest moment any candidate may open', async () => {
    const slots = freshSlots();
    await slots.acquire([acct('a@x.com')], 'la', { leaseMs: 30_000, now: T });
    await slots.acquire([acct('b@x.com')], 'lb', { leaseMs: 10_000, now: T });
    await slots.acquire([acct('c@x.com', 5, 1)], 'lc', { leaseMs: 1_000, now: T });
    const all = [acct('a@x.com'), acct('b@x.com'), acct('c@x.com', 5, 1)];
    expect(await slots.acquire(all, 'l', { leaseMs: 1000, now: T + 1 })).toEqual({ ok: false, retryAt: T + 10_000 });
    expect(await slots.acquire([acct('z@x.com', 0)], 'l', { leaseMs: 1000, now: T })).toEqual({ ok: false, retryAt: T + 60_000 });
    expect(await slots.acquire([], 'l', { leaseMs: 1000, now: T })).toEqual({ ok: false, retryAt: T + 60_000 });
  });

  it('frees a slot once: the second release of the same lease says it held nothing', async () => {
    const slots = freshSlots();
    await slots.acquire([acct('a@x.com')], 'l1', { leaseMs: 60_000 });
    expect(await slots.release('a@x.com', 'l1')).toBe(true);
    expect(await slots.release('a@x.com', 'l1')).toBe(false);
    expect(await slots.running('a@x.com')).toBe(0);
  });

  it('renews a held lease and refuses to renew one that expired', async () => {
    const slots = freshSlots();
    await slots.acquire([acct('a@x.com')], 'l1', { leaseMs: 1000, now: T });
    expect(await slots.renew('a@x.com', 'l1', 5000, { now: T + 900 })).toBe(true);
    expect(await slots.acquire([acct('a@x.com')], 'l2', { leaseMs: 1000, now: T + 3000 })).toEqual({ ok: false, retryAt: T + 5900 });
    expect(await slots.renew('a@x.com', 'l1', 5000, { now: T + 5900 })).toBe(false);
    expect(await slots.renew('a@x.com', 'never', 5000, { now: T })).toBe(false);
    expect(await slots.running('a@x.com', { now: T })).toBe(0);
  });

  it("restore holds a job's slot again after a wipe, even over the limit, without counting a submission", async () => {
    const slots = freshSlots();
    expect(await slots.acquire([acct('a@x.com', 1)], 'l1', { leaseMs: 60_000, now: T })).toMatchObject({ ok: true, email: 'a@x.com' });
    // l2 runs upstream on the full account, but Redis lost its lease: it is counted again.
    await slots.restore('a@x.com', 'l2', 60_000, { now: T });
    expect(await slots.snapshot(['a@x.com'], { now: T })).toEqual([{ email: 'a@x.com', running: 2, submittedLastMinute: 1, workingLimit: null }]);
    expect(await slots.acquire([acct('a@x.com', 2)], 'l3', { leaseMs: 60_000, now: T })).toMatchObject({ ok: false });
    // Restoring twice is one lease, extended.
    await slots.restore('a@x.com', 'l2', 120_000, { now: T });
    expect(await slots.running('a@x.com', { now: T + 90_000 })).toBe(1);
    expect(await slots.release('a@x.com', 'l2')).toBe(true);
  });

  it('releaseAll frees every slot of one account', async () => {
    const slots = freshSlots();
    for (const id of ['l1', 'l2']) await slots.acquire([acct('a@x.com', 2)], id, { leaseMs: 60_000 });
    await slots.acquire([acct('b@x.com')], 'l3', { leaseMs: 60_000 });
    expect(await slots.releaseAll('a@x.com')).toBe(2);
    expect(await slots.releaseAll('a@x.com')).toBe(0);
    expect((await slots.snapshot(['a@x.com', 'b@x.com'])).map((u) => u.running)).toEqual([0, 1]);
  });

  it("holders lists each account's lease ids in one call, empty for an account with none", async () => {
    const slots = freshSlots();
    for (const id of ['l1', 'l2']) await slots.acquire([acct('a@x.com', 2)], id, { leaseMs: 60_000 });
    await slots.acquire([acct('b@x.com')], 'l3', { leaseMs: 60_000 });
    await slots.release('a@x.com', 'l1');
    const held = await slots.holders(['a@x.com', 'b@x.com', 'c@x.com']);
    expect(Object.fromEntries(held)).toEqual({ 'a@x.com': ['l2'], 'b@x.com': ['l3'], 'c@x.com': [] });
  });

  it('treats emails case-insensitively', async () => {
    const slots = freshSlots();
    await slots.acquire([acct('A@X.com')], 'l1', { leaseMs: 60_000 });
    expect(await slots.running('a@x.com')).toBe(1);
    expect(await slots.release('a@X.COM', 'l1')).toBe(true);
  });

  it('refuses nonsense limits', async () => {
    const slots = freshSlots();
    await expect(slots.acquire([acct('a@x.com', -1)], 'l', { leaseMs: 1000 })).rejects.toThrow(RangeError);
    await expect(slots.acquire([acct('a@x.com')], '', { leaseMs: 1000 })).rejects.toThrow(RangeError);
  });
});
