/**
 * The reconciler's slot repairs, against real Postgres and Redis: after a Redis wipe, slots of
 * jobs still running upstream come back, each in the lane its job took it from; and slots whose
 * release was lost (Redis unreachable as their job ended) are freed without waiting for the lease.
 */
import type { JobStatus } from '@flowq/core';
import { insertJob, type Db, jobs } from '@flowq/db';
import { createAccountSlots } from '@flowq/scheduler';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@flowq/testing';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseLeakedLeases, restoreLeases } from '../apps/worker/src/reconciler';

let t: TestDatabase;
let r: TestRedis;
beforeAll(async () => {
  t = await createTestDatabase('reconciler');
  r = await createTestRedis('reconciler');
});
afterAll(async () => {
  await t?.drop();
  await r?.cleanup();
});

const A1 = 'restore@flowq.test';

async function jobHoldingASlot(db: Db, kind: 'video' | 'image' | 'upscale', status: JobStatus) {
  const row = await insertJob(db, { kind, request: { prompt: `a ${kind}` } as never, deadlineMs: 60_000 });
  await db.update(jobs).set({ status, account: A1 }).where(eq(jobs.id, row.id));
  return row.id;
}

describe('restoreLeases after a Redis wipe', () => {
  it('gives each job its slot back in its own lane: image calls in the image lane, everything else in the video lane (image jobs went to the video lane)', async () => {
    const video = await jobHoldingASlot(t.db, 'video', 'running');
    const upscale = await jobHoldingASlot(t.db, 'upscale', 'running');
    const image = await jobHoldingASlot(t.db, 'image', 'submitting');
    const slots = createAccountSlots(r.redis, { prefix: r.prefix });
    const imageSlots = createAccountSlots(r.redis, { prefix: r.prefix, lane: 'image' });
    const restored = await restoreLeases({ db: t.db, slots, imageSlots, leaseMs: 60_000, logger: pino({ level: 'silent' }) });
    expect(restored).toBe(3);
    expect(await slots.running(A1)).toBe(2);
    expect(await imageSlots.running(A1)).toBe(1);
    // Each lease is the job's own: its release frees it in its lane.
    expect(await imageSlots.release(A1, image)).toBe(true);
    expect(await slots.release(A1, video)).toBe(true);
    expect(await slots.release(A1, upscale)).toBe(true);
    expect(await slots.release(A1, image)).toBe(false);
  });
});

describe('releaseLeakedLeases', () => {
  it('frees the slots of jobs done with their account, in both lanes, and keeps those of jobs that may still use them', async () => {
    const slots = createAccountSlots(r.redis, { prefix: `${r.prefix}:leaks` });
    const imageSlots = createAccountSlots(r.redis, { prefix: `${r.prefix}:leaks`, lane: 'image' });
    const held: Record<string, string> = {};
    for (const status of ['running', 'submitting', 'queued', 'over_budget', 'archiving', 'succeeded', 'failed', 'cancelled'] as const) {
      held[status] = await jobHoldingASlot(t.db, 'video', status);
      await slots.restore(A1, held[status]!, 900_000);
    }
    const doneImage = await jobHoldingASlot(t.db, 'image', 'succeeded');
    await imageSlots.restore(A1, doneImage, 900_000);
    await slots.restore(A1, 'not-a-job-of-this-database', 900_000);

    const freed = await releaseLeakedLeases({ db: t.db, slots, imageSlots, emails: [A1, 'nobody@flowq.test'], logger: pino({ level: 'silent' }) });

    expect(freed).toBe(5);
    const left = (await slots.holders([A1])).get(A1)!;
    expect(left.sort()).toEqual([held.running, held.submitting, held.queued, held.over_budget, 'not-a-job-of-this-database'].sort());
    expect(await imageSlots.running(A1)).toBe(0);
    // A second pass finds nothing more to free.
    expect(await releaseLeakedLeases({ db: t.db, slots, imageSlots, emails: [A1], logger: pino({ level: 'silent' }) })).toBe(0);
  });
});
