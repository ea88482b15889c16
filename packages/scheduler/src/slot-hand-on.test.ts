import { afterAll, describe, expect, it } from 'vitest';
import { createAccountSlots } from './account-slots';
import { createSlotHandOn } from './slot-hand-on';
import { slotKeys } from './slot-keys';
import { createTestRedis } from './test-redis';

const t = createTestRedis('hand-on');
afterAll(() => t.cleanup());

let n = 0;
const T = Date.UTC(2025, 10, 20, 12);
const limits = (maxConcurrent: number, maxPerMinute = 100) => ({ maxConcurrent, maxPerMinute });

/** Slots, hand-on and a waiting room of two classes under a prefix of their own. */
async function world(waiting: Record<string, string[]> = {}) {
  const prefix = `${t.prefix}:${n++}`;
  const slots = createAccountSlots(t.redis, { prefix });
  const handOn = createSlotHandOn(t.redis, { prefix });
  const keys = { pinned: `${prefix}:waiting:acct:a@x.com`, any: `${prefix}:waiting:any` };
  for (const [cls, members] of Object.entries(waiting)) for (const m of members) await t.redis.zadd(keys[cls as keyof typeof keys], 0, m);
  return { prefix, slots, handOn, waitingKeys: [keys.pinned, keys.any], keys };
}

describe('slot hand-on', () => {
  it('releases the slot and hands it to the most urgent waiting job across the classes, which claims it once', async () => {
    const w = await world({ pinned: ['00000009:job_c'], any: ['00000005:job_b', '00000007:job_d'] });
    await w.slots.acquire([{ email: 'a@x.com', ...limits(1) }], 'job_a', { leaseMs: 60_000 });
    expect(await w.handOn.handOn('a@x.com', 'job_a', { waitingKeys: w.waitingKeys, limits: limits(1) })).toEqual({ freed: true, handedTo: '00000005:job_b' });
    expect(await t.redis.zrange(w.keys.any, 0, -1)).toEqual(['00000007:job_d']);
    expect((await w.slots.snapshot(['a@x.com']))[0]).toMatchObject({ running: 1, submittedLastMinute: 2 });
    expect(await w.handOn.claim('job_b', 60_000)).toEqual({ handed: { email: 'a@x.com', limit: 1 }, read: [] });
    expect(await w.handOn.claim('job_b', 60_000)).toEqual({ handed: null, read: [] });
    // Claimed: the lease is the job's for the whole lease now, and a taking-back no longer frees it.
    expect(await w.handOn.handOn('a@x.com', 'job_b', { waitingKeys: w.waitingKeys, limits: limits(1), unclaimedOnly: true })).toEqual({ freed: false });
    expect(await w.slots.running('a@x.com')).toBe(1);
  });

  it('takes back a slot its job did not claim and hands it on to the next one', async () => {
    const w = await world({ any: ['00000005:job_b', '00000007:job_c'] });
    await w.slots.acquire([{ email: 'a@x.com', ...limits(1) }], 'job_a', { leaseMs: 60_000 });
    await w.handOn.handOn('a@x.com', 'job_a', { waitingKeys: w.waitingKeys, limits: limits(1) });
    expect(await w.handOn.handOn('a@x.com', 'job_b', { waitingKeys: w.waitingKeys, limits: limits(1), unclaimedOnly: true })).toEqual({
      freed: true,
      handedTo: '00000007:job_c',
    });
    expect(await w.handOn.claim('job_b', 60_000)).toEqual({ handed: null, read: [] });
    expect(await w.handOn.claim('job_c', 60_000)).toMatchObject({ handed: { email: 'a@x.com' } });
    expect(await w.slots.running('a@x.com')).toBe(1);
  });

  it('hands nothing on when the account has no room under its working limit or its rate, or nobody waits', async () => {
    const w = await world({ any: ['00000005:job_b'] });
    for (const id of ['job_a', 'job_x']) await w.slots.acquire([{ email: 'a@x.com', ...limits(2) }], id, { leaseMs: 60_000 });
    await t.redis.hset(slotKeys(w.prefix, 'a@x.com').workingLimit, 'limit', 1);
    expect(await w.handOn.handOn('a@x.com', 'job_a', { waitingKeys: w.waitingKeys, limits: limits(2) })).toEqual({ freed: true, handedTo: null });
    expect(await t.redis.zrange(w.keys.any, 0, -1)).toEqual(['00000005:job_b']);
    // Two submissions this minute against a rate of 2.
    expect(await w.handOn.handOn('a@x.com', 'job_x', { waitingKeys: w.waitingKeys, limits: limits(4, 2) })).toEqual({ freed: true, handedTo: null });
    const empty = await world();
    await empty.slots.acquire([{ email: 'a@x.com', ...limits(1) }], 'job_a', { leaseMs: 60_000 });
    expect(await empty.handOn.handOn('a@x.com', 'job_a', { waitingKeys: empty.waitingKeys, limits: limits(1) })).toEqual({ freed: true, handedTo: null });
    expect(await empty.slots.running('a@x.com')).toBe(0);
  });

  it('a lease not held frees nothing and pops nobody; without waiting keys it is a plain release', async () => {
    const w = await world({ any: ['00000005:job_b'] });
    expect(await w.handOn.handOn('a@x.com', 'job_a', { waitingKeys: w.waitingKeys, limits: limits(1) })).toEqual({ freed: false });
    expect(await t.redis.zcard(w.keys.any)).toBe(1);
    await w.slots.acquire([{ email: 'a@x.com', ...limits(1) }], 'job_a', { leaseMs: 60_000 });
    expect(await w.handOn.handOn('a@x.com', 'job_a', { waitingKeys: [], limits: limits(1) })).toEqual({ freed: true, handedTo: null });
    expect(await t.redis.zcard(w.keys.any)).toBe(1);
  });

  it('a handed slot left unclaimed frees itself; the claim then finds nothing', async () => {
    const w = await world({ any: ['00000005:job_b'] });
    await w.slots.acquire([{ email: 'a@x.com', ...limits(1) }], 'job_a', { leaseMs: 60_000, now: T });
    await w.handOn.handOn('a@x.com', 'job_a', { waitingKeys: w.waitingKeys, limits: limits(1), handedMs: 1_000, now: T });
    expect(await w.slots.running('a@x.com', { now: T + 1_500 })).toBe(0);
    expect(await w.handOn.claim('job_b', 60_000, [], T + 1_500)).toEqual({ handed: null, read: [] });
  });

  it('reads the keys it is given in the same call', async () => {
    const w = await world();
    await t.redis.set(`${w.prefix}:gate`, 'closed');
    expect(await w.handOn.claim('job_z', 60_000, [`${w.prefix}:gate`, `${w.prefix}:absent`])).toEqual({ handed: null, read: ['closed', null] });
  });
});
