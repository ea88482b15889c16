import type { Logger } from '@flowq/config';
import { jobs, type Db } from '@flowq/db';
import { enqueueGenerate, GENERATE_QUEUE, type GenerateQueue } from '@flowq/queue';
import { and, asc, gt, inArray } from 'drizzle-orm';
import type { Redis } from 'ioredis';

const PAGE = 1_000;

/**
 * Postgres is the truth and Redis may be wiped: every unfinished job must have a live
 * BullMQ job. The reconciler walks the unfinished rows and queues any that have none (or
 * whose BullMQ job died in `failed`). One process at a time does it, under a Redis lock.
 */
export async function reconcileQueue(
  deps: { db: Db; redis: Redis; queue: GenerateQueue; prefix: string; logger: Logger },
): Promise<{ checked: number; restored: number }> {
  const { db, redis, queue, prefix, logger } = deps;
  const lockKey = `${prefix}:reconciler-lock`;
  const got = await redis.set(lockKey, String(process.pid), 'PX', 60_000, 'NX');
  if (!got) return { checked: 0, restored: 0 };
  let checked = 0;
  let restored = 0;
  try {
    let cursor = '';
    for (;;) {
      const rows = await db
        .select({ id: jobs.id, priority: jobs.priority, batchRow: jobs.batchRow })
        .from(jobs)
        .where(and(inArray(jobs.status, ['queued', 'submitting', 'running']), gt(jobs.id, cursor)))
        .orderBy(asc(jobs.id))
        .limit(PAGE);
      if (rows.length === 0) break;
      cursor = rows[rows.length - 1]!.id;
      checked += rows.length;
      const base = `${prefix}:${GENERATE_QUEUE}`;
      const pipeline = redis.pipeline();
      for (const r of rows) {
        pipeline.exists(`${base}:${r.id}`);
        pipeline.zscore(`${base}:failed`, r.id);
        pipeline.zscore(`${base}:completed`, r.id);
      }
      const answers = (await pipeline.exec()) ?? [];
      for (const [i, r] of rows.entries()) {
        const present = answers[3 * i]?.[1] === 1;
        const finished = answers[3 * i + 1]?.[1] != null || answers[3 * i + 2]?.[1] != null;
        if (present && !finished) continue;
        if (present) await queue.remove(r.id).catch(() => undefined);
        await enqueueGenerate(queue, r.id, r.priority, 0, r.batchRow);
        restored++;
      }
    }
  } finally {
    await redis.del(lockKey);
  }
  if (restored > 0) logger.warn({ checked, restored }, 'reconciler restored jobs missing from the queue');
  return { checked, restored };
}
