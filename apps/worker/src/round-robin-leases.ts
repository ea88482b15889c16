import { accountOfMediaId, imagesOf, VIDEO_MODELS } from '@flowq/core';
import { listAccounts, type Db, type JobRow } from '@flowq/db';
import type { Redis } from 'ioredis';
import type { AccountLeases, LeaseResult } from './account-leases';

/**
 * A simple pool: active accounts in turn, honouring a job's named account, its images'
 * account and Ultra-only models. No per-account limits: the scheduler replaces this.
 */
export function createRoundRobinLeases(db: Db, redis: Redis, prefix: string): AccountLeases {
  return {
    async acquire(job: JobRow, now: Date): Promise<LeaseResult> {
      const all = await listAccounts(db);
      const pinned = job.request.email ?? imagesOf(job.request).map(accountOfMediaId).find((e) => e !== null) ?? undefined;
      const eligible = all.filter(
        (a) =>
          a.enabled &&
          (a.state === 'active' || (a.state === 'cooling' && a.coolingUntil !== null && a.coolingUntil <= now)) &&
          (!VIDEO_MODELS[job.request.model].ultraOnly || a.tier === 'ultra') &&
          (pinned === undefined || a.email === pinned.toLowerCase()),
      );
      if (eligible.length === 0) return { ok: false, retryAt: now.getTime() + 5_000, reason: 'no eligible account' };
      const n = await redis.incr(`${prefix}:round-robin`);
      return { ok: true, email: eligible[n % eligible.length]!.email };
    },
    async renew() {},
    async release() {},
  };
}
