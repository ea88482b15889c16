import type { WorkerConfig } from '@flowq/config';
import type { ImageRequest } from '@flowq/core';
import { imageReferencesOf } from '@flowq/core';
import type { JobRow } from '@flowq/db';
import { bullPriority, type SlotRelease, type WaitingRoom, type WaitNeeds } from '@flowq/queue';
import { chooseImageAccounts, idleSlots, pinOf, type AccountSlots } from '@flowq/scheduler';
import type { LeaseResult } from './account-leases';
import type { PoolSnapshots } from './account-pool-snapshot';
import type { DispatchGate } from './dispatch-gate';
import { refillIdleSlots } from './idle-slot-refill';

/**
 * Image slots: the image lane of the account leases (`SlotLane` `image`), apart from video
 * slots, with the image limits of the config. The choice is `chooseImageAccounts`; Redis takes
 * the first free slot atomically, as for videos. A job that finds every slot taken parks in the
 * image waiting room (the video one's code under its own keys) and a released image slot wakes
 * the most urgent one, as for videos.
 */
export interface ImageLeases {
  acquire(job: JobRow, request: ImageRequest, now: Date, opts?: { firstLook?: boolean }): Promise<LeaseResult>;
  renew(email: string, jobId: string): Promise<void>;
  release(email: string, jobId: string): Promise<void>;
  /** As `AccountLeases`: listed before the delay, checked after it. */
  enterWaitingRoom(job: JobRow): Promise<void>;
  afterParking(job: JobRow): Promise<boolean>;
  /** As `AccountLeases.refillIdleSlots`, for image slots. */
  refillIdleSlots(now: Date, moreQueued: (limit: number) => Promise<string[]>): Promise<number>;
}

const requestOf = (job: JobRow) => job.request as unknown as ImageRequest;

function waitNeeds(job: JobRow): WaitNeeds {
  const request = requestOf(job);
  const pinned = pinOf({ email: request.email ?? null, images: imageReferencesOf(request) });
  return { jobId: job.id, bullPriority: bullPriority(job.priority, job.batchRow), pinnedTo: pinned.kind === 'ok' ? pinned.pin : null, ultraOnly: false };
}

export function createImageLeases(p: {
  config: WorkerConfig;
  slots: AccountSlots;
  snapshots: PoolSnapshots;
  gate: DispatchGate;
  waitingRoom: WaitingRoom;
  slotRelease: SlotRelease;
}): ImageLeases {
  const { config, slots, snapshots, gate, waitingRoom, slotRelease } = p;
  const limits = config.accounts.images;

  async function choose(job: JobRow, now: Date) {
    const request = requestOf(job);
    const { pool } = await snapshots.take(now);
    const usage = await slots.snapshot(pool.map((a) => a.email));
    const views = pool.map((a, i) => ({
      email: a.email,
      enabled: a.enabled,
      draining: a.draining,
      state: a.state,
      coolingUntil: a.coolingUntil,
      running: usage[i]?.running ?? 0,
      maxConcurrent: limits.maxConcurrent,
      throttled: a.recent.throttled,
    }));
    const pick = chooseImageAccounts(views, { email: request.email, references: imageReferencesOf(request), jobId: job.id }, now);
    const free = new Set(views.filter((v) => v.running < v.maxConcurrent).map((v) => v.email));
    return { pick, anyFree: pick.kind === 'accounts' && pick.ranked.some((e) => free.has(e)) };
  }

  return {
    async acquire(job, _request, now, opts = {}) {
      // Behind the image jobs already waiting, as video jobs queue behind theirs.
      if (opts.firstLook && (await waitingRoom.parkIfOthersWait(waitNeeds(job))) > 0) {
        return { ok: false, kind: 'wait', retryAt: now.getTime() + config.worker.parkMaxMs, reason: 'behind_waiting_jobs', listed: true };
      }
      const closed = await gate.check(now);
      if (closed) return { ok: false, kind: 'wait', retryAt: closed.until.getTime(), reason: closed.reason };
      const { pick } = await choose(job, now);
      if (pick.kind === 'impossible') {
        const message =
          pick.reason === 'unknown_account'
            ? 'the account named by email (or holding the references) is not configured'
            : pick.reason === 'images_span_accounts'
              ? 'the references belong to different accounts; upload them to one account'
              : 'email names another account than the one holding the references';
        return { ok: false, kind: 'impossible', code: pick.reason === 'unknown_account' ? 'account_not_found' : 'invalid_request', message };
      }
      if (pick.kind === 'wait')
        return { ok: false, kind: 'wait', retryAt: pick.retryAt?.getTime() ?? now.getTime() + config.worker.parkMaxMs, reason: pick.reason };
      const got = await slots.acquire(
        pick.ranked.map((email) => ({ email, maxConcurrent: limits.maxConcurrent, maxPerMinute: limits.maxPerMinute })),
        job.id,
        { leaseMs: config.accounts.leaseMs },
      );
      if (got.ok) {
        if (!opts.firstLook) await waitingRoom.unpark(waitNeeds(job));
        return { ok: true, email: got.email, limit: got.limit };
      }
      // A lease of an image call ends within seconds, long before its expiry: a release wakes the job.
      return { ok: false, kind: 'wait', retryAt: Math.min(got.retryAt, now.getTime() + config.worker.parkMaxMs), reason: 'all_busy' };
    },
    async renew(email, jobId) {
      if (!(await slots.renew(email, jobId, config.accounts.leaseMs))) await slots.restore(email, jobId, config.accounts.leaseMs);
    },
    async release(email, jobId) {
      await slotRelease.release(email, jobId);
    },
    async enterWaitingRoom(job) {
      await waitingRoom.park(waitNeeds(job));
    },
    async refillIdleSlots(now, moreQueued) {
      if (await gate.check(now)) return 0;
      const { pool } = await snapshots.take(now);
      const usage = await slots.snapshot(pool.map((a) => a.email));
      const lane = pool.map((a, i) => ({
        ...a,
        running: usage[i]?.running ?? 0,
        maxConcurrent: limits.maxConcurrent,
        submittedLastMinute: usage[i]?.submittedLastMinute ?? 0,
        maxPerMinute: limits.maxPerMinute,
      }));
      return refillIdleSlots(idleSlots(lane, now), slotRelease, moreQueued);
    },
    async afterParking(job) {
      const wait = waitNeeds(job);
      // A slot freed between the failed acquire and the park found nobody to wake: its waker
      // left a flag, or the slot is visibly free now (the same closing of the window as videos).
      const looked = await waitingRoom.afterParking(wait);
      if (looked === 'flag') return true;
      if (looked > 1) return false;
      if (await gate.check(new Date())) return false;
      if (!(await choose(job, new Date())).anyFree) return false;
      await waitingRoom.unpark(wait);
      return true;
    },
  };
}
