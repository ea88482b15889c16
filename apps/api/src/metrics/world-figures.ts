import { accountOutcomeStats, countJobsByStatus, listAccounts, videosDeliveredByModel } from '@flowq/db';
import type { WorldFigures } from '@flowq/metrics';
import { createWaitingRoom } from '@flowq/queue';
import { createAccountSlots } from '@flowq/scheduler';
import type { ApiDeps } from '../deps';

/** One read of everything the world gauges show: a few grouped queries, one Lua call, one queue count. */
export function createWorldFiguresReader({ config, database, redis, queue }: Pick<ApiDeps, 'config' | 'database' | 'redis' | 'queue'>) {
  const { db } = database;
  const slots = createAccountSlots(redis, { prefix: config.redis.prefix });
  const waitingRoom = createWaitingRoom(redis, config.redis.prefix);
  return async function readWorldFigures(): Promise<WorldFigures> {
    const rows = await listAccounts(db);
    const emails = rows.map((r) => r.email);
    const [jobs, delivered, stats, usage, waiting, counts] = await Promise.all([
      countJobsByStatus(db),
      videosDeliveredByModel(db),
      accountOutcomeStats(db, emails),
      slots.snapshot(emails),
      waitingRoom.size(),
      queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'),
    ]);
    const live = new Map(usage.map((u) => [u.email, u]));
    return {
      jobs,
      accounts: rows.map((row) => ({
        email: row.email,
        state: row.state,
        tier: row.tier,
        running: live.get(row.email)?.running ?? null,
        maxConcurrent: row.maxConcurrent,
        submittedLastMinute: live.get(row.email)?.submittedLastMinute ?? null,
        maxPerMinute: row.maxPerMinute,
        throttledRecently: stats.get(row.email)?.recent.throttled ?? 0,
        coolingUntil: row.state === 'cooling' ? row.coolingUntil : null,
        remainingCredits: row.remainingCredits,
        draining: row.draining,
      })),
      waitingRoom: waiting,
      queue: counts,
      creditsByModel: delivered.map(({ model, credits }) => ({ model, credits })),
    };
  };
}
