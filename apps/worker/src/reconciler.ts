import type { Logger } from '@flowq/config';
import type { JobKind } from '@flowq/core';
import { archivingJobsPage, jobsHoldingSlots, statusesOf, stillHoldingSlots, unfinishedJobsPage, type Db } from '@flowq/db';
import { ARCHIVE_QUEUE, enqueueArchive, enqueueGenerate, GENERATE_QUEUE, type ArchiveQueue, type GenerateQueue } from '@flowq/queue';
import { luaScript, type AccountSlots } from '@flowq/scheduler';
import type { Redis } from 'ioredis';
import { isLeakedLease } from './leaked-lease';

const PAGE = 1_000;

// KEYS: the queue's prioritized, delayed, active, wait and paused lists. ARGV: the job hash
// prefix, then job ids. Returns, per id: 0 dead (no hash), 1 live, 2 a hash in no list.
// One call per page instead of six commands per job.
const LIVENESS = luaScript(`
local out = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  if redis.call('EXISTS', ARGV[1] .. id) == 0 then
    out[i - 1] = 0
  elseif redis.call('ZSCORE', KEYS[1], id) or redis.call('ZSCORE', KEYS[2], id) or redis.call('LPOS', KEYS[3], id) or redis.call('LPOS', KEYS[4], id) or redis.call('LPOS', KEYS[5], id) then
    out[i - 1] = 1
  else
    out[i - 1] = 2
  end
end
return out
`);

/**
 * Postgres is the truth and Redis may be wiped: every unfinished job must have a live
 * BullMQ job. The reconciler walks the unfinished rows and queues any that have none (or
 * whose BullMQ job ended in `failed`/`completed`, or lost its place in every list): rows in
 * `queued`/`submitting`/`running` on the generate queue, rows in `archiving` on the archive
 * queue. One process at a time does it, under a Redis lock.
 */
export async function reconcileQueue(deps: {
  db: Db;
  redis: Redis;
  queue: GenerateQueue;
  archiveQueue?: ArchiveQueue;
  prefix: string;
  logger: Logger;
  /** A pass holds the lock this long, so the processes that all run it on a timer share one pass per period. */
  everyMs: number;
}): Promise<{ ran: boolean; checked: number; restored: number }> {
  const { db, redis, queue, prefix, logger } = deps;
  const lockKey = `${prefix}:reconciler-lock`;
  const got = await redis.set(lockKey, String(process.pid), 'PX', deps.everyMs, 'NX');
  if (!got) return { ran: false, checked: 0, restored: 0 };
  let checked = 0;
  let restored = 0;
  try {
    let cursor = '';
    for (;;) {
      const rows = await unfinishedJobsPage(db, cursor, PAGE);
      if (rows.length === 0) break;
      cursor = rows[rows.length - 1]!.id;
      checked += rows.length;
      const states = await livenessOf(
        redis,
        `${prefix}:${GENERATE_QUEUE}`,
        rows.map((r) => r.id),
      );
      for (const [i, r] of rows.entries()) {
        if (states[i] === 1) continue;
        if (states[i] === 2) await queue.remove(r.id).catch(() => undefined);
        await enqueueGenerate(queue, r.id, r.priority, 0, r.batchRow);
        restored++;
      }
    }
    const archiveQueue = deps.archiveQueue;
    cursor = '';
    while (archiveQueue) {
      const ids = await archivingJobsPage(db, cursor, PAGE);
      if (ids.length === 0) break;
      cursor = ids[ids.length - 1]!;
      checked += ids.length;
      const states = await livenessOf(redis, `${prefix}:${ARCHIVE_QUEUE}`, ids);
      for (const [i, id] of ids.entries()) {
        if (states[i] === 1) continue;
        // Tries exhausted (the store away for long) or a wiped Redis: the job gets a fresh set of tries.
        if (states[i] === 2) await archiveQueue.remove(id).catch(() => undefined);
        await enqueueArchive(archiveQueue, id);
        restored++;
      }
    }
  } catch (err) {
    // A failed pass must not hold the others off for a whole period.
    await redis.del(lockKey).catch(() => undefined);
    throw err;
  }
  if (restored > 0) logger.warn({ checked, restored }, 'reconciler restored jobs missing from the queue');
  return { ran: true, checked, restored };
}

/**
 * Per id: 0 dead (no hash), 1 live, 2 a hash in no list. A job is live when its hash exists and
 * it sits in a state a worker will take it from; a hash in no list (a partial wipe, an eviction,
 * or a job that ended in `failed`/`completed`) is dead too: nothing would ever run it.
 */
async function livenessOf(redis: Redis, base: string, ids: string[]): Promise<number[]> {
  const lists = ['prioritized', 'delayed', 'active', 'wait', 'paused'].map((l) => `${base}:${l}`);
  return (await LIVENESS.run(redis, lists, [`${base}:`, ...ids])) as number[];
}

/**
 * After Redis lost its keys, jobs running upstream hold no account slot, and the scheduler
 * would hand their slots to new submissions: over the account's limit at useapi. Every row in
 * `submitting` or `running` takes its slot back (by force: it is in use, whatever Redis says),
 * in its own lane: an image call's in the image lane (`imageSlots`), any other job's in the
 * video lane. A row that finished meanwhile gives it back at once, so a release racing this leaks nothing.
 */
export async function restoreLeases(deps: { db: Db; slots: AccountSlots; imageSlots: AccountSlots; leaseMs: number; logger: Logger }): Promise<number> {
  const { db, leaseMs, logger } = deps;
  const laneOf = (kind: JobKind) => (kind === 'image' ? deps.imageSlots : deps.slots);
  let cursor = '';
  let restored = 0;
  for (;;) {
    const rows = await jobsHoldingSlots(db, cursor, PAGE);
    if (rows.length === 0) break;
    cursor = rows[rows.length - 1]!.id;
    const held = rows.filter((r): r is { id: string; kind: JobKind; account: string } => r.account !== null);
    await Promise.all(held.map((r) => laneOf(r.kind).restore(r.account, r.id, leaseMs)));
    const still = await stillHoldingSlots(
      db,
      held.map((r) => r.id),
    );
    await Promise.all(held.filter((r) => !still.has(r.id)).map((r) => laneOf(r.kind).release(r.account, r.id)));
    restored += still.size;
  }
  if (restored > 0) logger.warn({ restored }, 'account slots restored for jobs running upstream');
  return restored;
}

/**
 * A job's release that never reached Redis (unreachable for a moment just then) leaves its slot
 * taken until the lease expires: 15 minutes of an account's capacity by default, every slot of the
 * pool after a short Redis cut while many jobs end. Each pass frees the slots of jobs that are
 * done with their account (`isLeakedLease`), in both lanes. Returns how many it freed.
 */
export async function releaseLeakedLeases(deps: { db: Db; slots: AccountSlots; imageSlots: AccountSlots; emails: string[]; logger: Logger }): Promise<number> {
  let freed = 0;
  for (const [lane, slots] of [
    ['video', deps.slots],
    ['image', deps.imageSlots],
  ] as const) {
    const held = await slots.holders(deps.emails);
    const statuses = await statusesOf(deps.db, [...held.values()].flat());
    for (const [email, ids] of held) {
      for (const id of ids) {
        if (!isLeakedLease(statuses.get(id))) continue;
        if (await slots.release(email, id)) {
          freed++;
          deps.logger.warn({ email, jobId: id, lane, status: statuses.get(id) }, 'freed an account slot its finished job never gave back');
        }
      }
    }
  }
  return freed;
}

/** Present while Redis keeps flowq's keys; gone after a wipe (or on a new Redis), which triggers a full repair. */
export function redisSentinelKey(prefix: string): string {
  return `${prefix}:reconciler:sentinel`;
}
