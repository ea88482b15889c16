import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createWaitingRoom, type WaitNeeds } from './waiting-room';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 3 });
const prefix = `flowq-test:waiting-room:${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

let n = 0;
const room = () => createWaitingRoom(redis, `${prefix}:${n++}`);
const needs = (jobId: string, over: Partial<WaitNeeds> = {}): WaitNeeds => ({ jobId, bullPriority: 10, pinnedTo: null, ultraOnly: false, ...over });

describe('waiting room: parking in one call', () => {
  it('a fresh job joins its class only when others already wait there', async () => {
    const r = room();
    expect(await r.parkIfOthersWait(needs('job_a'))).toBe(0);
    expect(await r.size()).toBe(0);
    await r.park(needs('job_a'));
    expect(await r.parkIfOthersWait(needs('job_b'))).toBe(1);
    // Another class (pinned) is not "others of its kind".
    expect(await r.parkIfOthersWait(needs('job_c', { pinnedTo: 'a@x.com' }))).toBe(0);
    expect(await r.popFor('b@x.com', 'pro')).toBe('job_a');
    expect(await r.popFor('b@x.com', 'pro')).toBe('job_b');
    expect(await r.popFor('b@x.com', 'pro')).toBeNull();
  });

  it('after parking: takes the wake flag if one was left, else counts its class', async () => {
    const r = room();
    await r.park(needs('job_a'));
    await r.park(needs('job_b'));
    expect(await r.afterParking(needs('job_b'))).toBe(2);
    await r.leaveWakeFlag('job_b');
    expect(await r.afterParking(needs('job_b'))).toBe('flag');
    // Taken: a second look finds no flag.
    expect(await r.afterParking(needs('job_b'))).toBe(2);
    expect(await r.takeWakeFlag('job_b')).toBe(false);
  });
});
