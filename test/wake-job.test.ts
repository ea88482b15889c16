import { createGenerateQueue, createRedis, createWaitingRoom, enqueueGenerate, GENERATE_QUEUE, wakeJob, type GenerateQueue } from '@flowq/queue';
import { createTestRedis, type TestRedis, waitFor } from '@flowq/testing';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let tr: TestRedis;
let redis: Redis;
let queue: GenerateQueue;
beforeAll(async () => {
  tr = await createTestRedis('wake-job');
  redis = createRedis(tr.url, 'worker');
  queue = createGenerateQueue(redis, tr.prefix);
});
afterAll(async () => {
  await queue.close();
  redis.disconnect();
  await tr.cleanup();
});

describe('wakeJob', () => {
  it('promotes a delayed job at once, and says false for a job that does not exist', async () => {
    const room = createWaitingRoom(redis, tr.prefix);
    await enqueueGenerate(queue, 'job_delayed', 50, 600_000);
    expect(await queue.getJobState('job_delayed')).toBe('delayed');
    expect(await wakeJob(queue, room, 'job_delayed')).toBe(true);
    expect(['prioritized', 'waiting']).toContain(await queue.getJobState('job_delayed'));
    expect(await room.takeWakeFlag('job_delayed')).toBe(false);
    expect(await wakeJob(queue, room, 'job_nobody')).toBe(false);
    // Already waiting to run: nothing to wake, no flag.
    expect(await wakeJob(queue, room, 'job_delayed')).toBe(false);
    expect(await room.takeWakeFlag('job_delayed')).toBe(false);
  });

  it('leaves a wake flag for a job that is mid-step (active), and wakes nothing that has finished', async () => {
    const room = createWaitingRoom(redis, tr.prefix);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const seen: string[] = [];
    const worker = new Worker(
      GENERATE_QUEUE,
      async (job) => {
        seen.push(job.id!);
        if (job.id === 'job_active') await held;
      },
      { connection: createRedis(tr.url, 'worker'), prefix: tr.prefix },
    );
    try {
      await enqueueGenerate(queue, 'job_active', 50);
      await waitFor(async () => ((await queue.getJobState('job_active')) === 'active' ? true : null), { timeoutMs: 10_000, what: 'the job to be active' });
      expect(await wakeJob(queue, room, 'job_active')).toBe(true);
      expect(await room.takeWakeFlag('job_active')).toBe(true);
      release();
      await waitFor(async () => ((await queue.getJobState('job_active')) === 'completed' ? true : null), { timeoutMs: 10_000, what: 'the job to complete' });
      expect(await wakeJob(queue, room, 'job_active')).toBe(false);
      expect(await room.takeWakeFlag('job_active')).toBe(false);
    } finally {
      release();
      await worker.close();
    }
  });
});
