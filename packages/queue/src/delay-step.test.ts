import { randomBytes } from 'node:crypto';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { FOLLOW_UP_PRIORITY, bullPriority, INTERACTIVE_PRIORITY } from './catalog';
import { delayFields, moveToDelayedWith } from './delay-step';

const FRESH = bullPriority(INTERACTIVE_PRIORITY);
const data = (awaits?: string) => ({ jobId: 'job_1', ...(awaits ? { awaits } : {}) });

describe('delayFields: what a sleeping step writes with its delay', () => {
  it.each([
    { why: 'a first look (no priority yet) parks', priority: undefined, before: data(), awaits: undefined, fields: { priority: FOLLOW_UP_PRIORITY } },
    { why: 'a fresh job parks: it runs ahead once looked at', priority: FRESH, before: data(), awaits: undefined, fields: { priority: FOLLOW_UP_PRIORITY } },
    { why: 'a follow-up parks again: nothing to write', priority: FOLLOW_UP_PRIORITY, before: data(), awaits: undefined, fields: undefined },
    {
      why: 'a fresh job submitted: runs ahead, awaits its upstream job',
      priority: FRESH,
      before: data(),
      awaits: 'j1',
      fields: { priority: FOLLOW_UP_PRIORITY, data: '{"jobId":"job_1","awaits":"j1"}' },
    },
    { why: 'a follow-up submitted', priority: FOLLOW_UP_PRIORITY, before: data(), awaits: 'j1', fields: { data: '{"jobId":"job_1","awaits":"j1"}' } },
    { why: 'waits again for the same upstream job: nothing to write', priority: FOLLOW_UP_PRIORITY, before: data('j1'), awaits: 'j1', fields: undefined },
    {
      why: 'resubmitted: awaits the new upstream job',
      priority: FOLLOW_UP_PRIORITY,
      before: data('j1'),
      awaits: 'j2',
      fields: { data: '{"jobId":"job_1","awaits":"j2"}' },
    },
    {
      why: 'any other sleep clears what it awaited',
      priority: FOLLOW_UP_PRIORITY,
      before: data('j1'),
      awaits: undefined,
      fields: { data: '{"jobId":"job_1"}' },
    },
  ])('$why', ({ priority, before, awaits, fields }) => {
    expect(delayFields(priority, before, awaits)).toEqual(fields);
  });
});

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `flowq-test:delay-step:${randomBytes(4).toString('hex')}`;
const redis = new Redis(url, { maxRetriesPerRequest: null });
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('moveToDelayedWith: the move and the fields in one call', () => {
  it('delays an active job with its new priority and payload: promoted, it runs before a fresh job queued earlier', async () => {
    const queue = new Queue('delay-step', { connection: redis, prefix });
    const seen: string[] = [];
    let held: Job | undefined;
    let token: string | undefined;
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    const worker = new Worker(
      'delay-step',
      async (job, t) => {
        seen.push(`${job.id}@${job.priority}`);
        if (job.id === 'a' && !held) {
          held = job;
          token = t;
          await moveToDelayedWith(job, Date.now() + 600_000, t, delayFields(job.priority, { jobId: 'a' }, 'j1'));
          throw new DelayedError('parked');
        }
      },
      { connection, prefix, concurrency: 1, autorun: false },
    );
    try {
      await queue.add('x', {}, { jobId: 'a', priority: bullPriority(INTERACTIVE_PRIORITY) });
      void worker.run();
      await until(async () => (await queue.getJobState('a')) === 'delayed');
      expect(held?.priority).toBe(FOLLOW_UP_PRIORITY);
      expect((await queue.getJob('a'))?.data).toEqual({ jobId: 'a', awaits: 'j1' });
      expect(token).toBeDefined();
      // Paused while both wait, so the order is BullMQ's alone: the promoted follow-up first.
      await worker.pause();
      await queue.add('x', {}, { jobId: 'b', priority: bullPriority(INTERACTIVE_PRIORITY) });
      await (await queue.getJob('a'))!.promote();
      expect(await queue.getJobState('a')).toBe('prioritized');
      worker.resume();
      await until(async () => (await queue.getJobState('b')) === 'completed' && (await queue.getJobState('a')) === 'completed');
      expect(seen).toEqual([`a@${bullPriority(INTERACTIVE_PRIORITY)}`, `a@${FOLLOW_UP_PRIORITY}`, `b@${bullPriority(INTERACTIVE_PRIORITY)}`]);
    } finally {
      await worker.close();
      await queue.close();
      connection.disconnect();
    }
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
