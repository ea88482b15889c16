/**
 * The reconciler's repair after a Redis wipe, against real Postgres and Redis: slots of jobs
 * still running upstream come back, each in the lane its job took it from.
 */
import { insertJob, type Db, jobs } from '@flowq/db';
import { createAccountSlots } from '@flowq/scheduler';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@flowq/testing';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreLeases } from '../apps/worker/src/reconciler';

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

async function jobHoldingASlot(db: Db, kind: 'video' | 'image' | 'upscale', status: 'submitting' | 'running') {
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
