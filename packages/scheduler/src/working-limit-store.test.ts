import { afterAll, describe, expect, it } from 'vitest';
import { createAccountSlots, type SlotCandidate } from './account-slots';
import { createAccountStats } from './account-stats';
import { createTestRedis } from './test-redis';
import { initialWorkingLimit } from './working-limit';
import { createWorkingLimitStore, parseWorkingLimit } from './working-limit-store';

const t = createTestRedis('working-limit');
afterAll(() => t.cleanup());

let n = 0;
function fresh() {
  const prefix = `${t.prefix}:${n++}`;
  return {
    slots: createAccountSlots(t.redis, { prefix }),
    imageSlots: createAccountSlots(t.redis, { prefix, lane: 'image' }),
    limits: createWorkingLimitStore(t.redis, { prefix }),
    stats: createAccountStats(t.redis, { prefix }),
  };
}
const acct = (email: string, maxConcurrent = 4): SlotCandidate => ({ email, maxConcurrent, maxPerMinute: 1000 });
const lease = { leaseMs: 60_000 };

describe('working limits in Redis', () => {
  it('an account never cut reads as its ceiling and takes up to it', async () => {
    const { slots, limits } = fresh();
    expect(await limits.read('a@x.com', 4)).toEqual({ state: initialWorkingLimit(4), version: '', running: 0 });
    for (let i = 0; i < 4; i++) expect(await slots.acquire([acct('a@x.com')], `l${i}`, lease)).toEqual({ ok: true, email: 'a@x.com', limit: 4 });
    expect((await slots.acquire([acct('a@x.com')], 'l4', lease)).ok).toBe(false);
  });

  it('the acquire script takes min(working limit, ceiling), and says which limit the slot was taken under', async () => {
    const { slots, limits } = fresh();
    const { version } = await limits.read('a@x.com', 4);
    expect(await limits.write('a@x.com', version, { ...initialWorkingLimit(4, 2) })).toBe(true);
    expect(await slots.acquire([acct('a@x.com')], 'l1', lease)).toEqual({ ok: true, email: 'a@x.com', limit: 2 });
    expect(await slots.acquire([acct('a@x.com')], 'l2', lease)).toEqual({ ok: true, email: 'a@x.com', limit: 2 });
    // Full at 2: the next candidate takes it.
    expect(await slots.acquire([acct('a@x.com'), acct('b@x.com')], 'l3', lease)).toEqual({ ok: true, email: 'b@x.com', limit: 4 });
    // A ceiling configured under the working limit wins.
    expect((await slots.acquire([acct('a@x.com', 1)], 'l4', lease)).ok).toBe(false);
    expect((await slots.snapshot(['a@x.com', 'b@x.com'])).map((u) => [u.running, u.workingLimit])).toEqual([
      [2, 2],
      [1, null],
    ]);
    expect((await limits.read('a@x.com', 4)).running).toBe(2);
  });

  it('a write is a compare-and-set: the second of two writers from the same read loses', async () => {
    const { limits } = fresh();
    const { version } = await limits.read('a@x.com', 4);
    expect(await limits.write('a@x.com', version, initialWorkingLimit(4, 3))).toBe(true);
    expect(await limits.write('a@x.com', version, initialWorkingLimit(4, 2))).toBe(false);
    expect((await limits.read('a@x.com', 4)).state.limit).toBe(3);
  });

  it('a recorded success counts a clean completion only where a limit was learned, in the same call', async () => {
    const { limits, stats } = fresh();
    expect(await stats.record('a@x.com', 'succeeded', { countCleanIn: limits.keyOf('a@x.com') })).toBeNull();
    expect(await t.redis.exists(limits.keyOf('a@x.com'))).toBe(0);
    const { version } = await limits.read('a@x.com', 4);
    await limits.write('a@x.com', version, initialWorkingLimit(4, 2));
    const fields = await stats.record('a@x.com', 'succeeded', { countCleanIn: limits.keyOf('a@x.com') });
    expect(parseWorkingLimit(fields, 4).state).toMatchObject({ limit: 2, cut: true, clean: 1 });
    // A failure counts nothing.
    expect(await stats.record('a@x.com', 'failed', { countCleanIn: limits.keyOf('a@x.com') })).toBeNull();
    expect((await limits.read('a@x.com', 4)).state.clean).toBe(1);
  });

  it('image slots keep their configured limit whatever the video working limit', async () => {
    const { imageSlots, limits } = fresh();
    await limits.write('a@x.com', '', initialWorkingLimit(4, 1));
    expect(await imageSlots.acquire([acct('a@x.com', 3)], 'i1', lease)).toEqual({ ok: true, email: 'a@x.com', limit: 3 });
    expect(await imageSlots.acquire([acct('a@x.com', 3)], 'i2', lease)).toMatchObject({ ok: true });
    expect((await imageSlots.snapshot(['a@x.com']))[0]?.workingLimit).toBeNull();
  });
});
