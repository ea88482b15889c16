import { createLogger } from '@flowq/config';
import { createDatabase, insertJob, type Database } from '@flowq/db';
import { createGenerateQueue, enqueueGenerateBulk, GENERATE_QUEUE, type GenerateQueue } from '@flowq/queue';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@flowq/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { reconcileQueue } from '@flowq/worker';

let testDb: TestDatabase;
let database: Database;
let testRedis: TestRedis;
let queue: GenerateQueue;

beforeAll(async () => {
  testDb = await createTestDatabase('reconciler');
  testRedis = await createTestRedis('reconciler');
});

afterAll(async () => {
  await testRedis.cleanup();
  await testDb.drop();
});

let redis: Redis;
beforeEach(() => {
  database = createDatabase(testDb.url);
  redis = new Redis(testRedis.url, { maxRetriesPerRequest: null });
  queue = createGenerateQueue(redis, testRedis.prefix);
});

afterEach(async () => {
  await queue.close();
  await redis.quit();
  await database.close();
});

const pass = () => reconcileQueue({ db: database.db, redis: redis, queue, prefix: testRedis.prefix, logger: createLogger('silent'), everyMs: 60_000 });

async function wipe(): Promise<void> {
  const keys = await redis.keys(`${testRedis.prefix}:*`);
  if (keys.length) await redis.del(...keys);
}

async function queued(ids: string[]): Promise<number> {
  const base = `${testRedis.prefix}:${GENERATE_QUEUE}`;
  const found = await Promise.all(ids.map(async (id) => (await redis.exists(`${base}:${id}`)) === 1 && (await queue.getJobState(id)) === 'prioritized'));
  return found.filter(Boolean).length;
}

describe('requeue after a Redis wipe', () => {
  it('one pass queues every unfinished job again, and a job whose hash sits in no list', async () => {
    const rows = [];
    for (let i = 0; i < 30; i++)
      rows.push(
        await insertJob(database.db, { request: { prompt: `wipe ${i}`, model: 'veo-3.1-fast', aspectRatio: 'landscape', count: 1 }, deadlineMs: 86_400_000 }),
      );
    const ids = rows.map((r) => r.id);
    await enqueueGenerateBulk(
      queue,
      rows.map((r) => ({ id: r.id, priority: r.priority })),
    );
    expect(await queued(ids)).toBe(30);

    await wipe();
    expect(await queued(ids)).toBe(0);
    const first = await pass();
    expect(first).toEqual({ ran: true, checked: 30, restored: 30 });
    expect(await queued(ids)).toBe(30);

    // A hash left in no list (a partial wipe, an eviction): nothing would ever run it.
    await redis.zrem(`${testRedis.prefix}:${GENERATE_QUEUE}:prioritized`, ids[0]!);
    await redis.del(`${testRedis.prefix}:reconciler-lock`);
    const second = await pass();
    expect(second).toEqual({ ran: true, checked: 30, restored: 1 });
    expect(await queued(ids)).toBe(30);

    // The lock holds the other processes' passes off for the period.
    expect((await pass()).ran).toBe(false);
  });
});
