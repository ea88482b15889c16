import type { WorkerConfig, Logger } from '@flowq/config';
import { imagesOf, tiersFor, type JobErrorCode } from '@flowq/core';
import type { JobRow } from '@flowq/db';
import { bullPriority } from '@flowq/queue';
import {
  chooseAccounts,
  idleSlots,
  coolOff,
  keepsHandedSlot,
  nextWorkingLimit,
  parseWorkingLimit,
  pinOf,
  type AccountSlots,
  type AccountStatsStore,
  type ImpossibleReason,
  type JobNeeds,
  type LimitEvent,
  type SlotHandOn,
  type WorkingLimit,
  type WorkingLimitStore,
} from '@flowq/scheduler';
import { REASON_THROTTLED, type UpstreamOutcome } from '@flowq/useapi-client';
import type { AccountEffects } from './account-effects';
import type { AccountLeases, LeaseResult } from './account-leases';
import type { PoolSnapshots } from './account-pool-snapshot';
import type { DispatchGate, GateClosed } from './dispatch-gate';
import type { SlotRelease, WaitingRoom, WaitNeeds } from '@flowq/queue';
import { refillIdleSlots } from './idle-slot-refill';

const IMPOSSIBLE: Record<ImpossibleReason, { code: JobErrorCode; message: string }> = {
  images_span_accounts: { code: 'invalid_request', message: 'the images belong to different accounts; upload them to one account' },
  pinned_conflict: { code: 'invalid_request', message: 'email names another account than the one holding the images' },
  unknown_account: { code: 'account_not_found', message: 'the account named by email (or holding the images) is not configured' },
  unknown_model: { code: 'invalid_request', message: 'model: not in the catalog' },
  no_ultra_account: { code: 'invalid_request', message: 'needs a Google AI Ultra account and none is configured' },
  tier_mismatch: { code: 'invalid_request', message: 'needs a Google AI Ultra account and the named one is not' },
  no_account_for_model: {
    code: 'invalid_request',
    message: 'no configured account may run it (useapi lists it for none, or they answered MODEL_ACCESS_DENIED)',
  },
  model_not_on_account: { code: 'invalid_request', message: 'the named account may not run it (useapi does not list it, or it answered MODEL_ACCESS_DENIED)' },
};

/** The error of a job no account can ever run, naming the field that makes it so. */
function impossibleError(reason: ImpossibleReason, job: JobRow): { code: JobErrorCode; message: string } {
  const { code, message } = IMPOSSIBLE[reason];
  const { model, duration } = job.request;
  if (reason === 'no_ultra_account' || reason === 'tier_mismatch') {
    // The model itself is Ultra-only, or only this duration is (Veo's 4 and 6 s clips).
    const field = tiersFor({ model }).includes('pro') ? `duration: ${duration} s ${model} clips` : `model: ${model}`;
    return { code, message: `${field} ${message}` };
  }
  if (reason === 'no_account_for_model' || reason === 'model_not_on_account') return { code, message: `model: ${model}: ${message}` };
  return { code, message };
}

export interface SchedulerParts {
  config: WorkerConfig;
  logger: Logger;
  slots: AccountSlots;
  stats: AccountStatsStore;
  limits: WorkingLimitStore;
  snapshots: PoolSnapshots;
  effects: AccountEffects;
  gate: DispatchGate;
  waitingRoom: WaitingRoom;
  slotRelease: SlotRelease;
  /** The claim side of handing freed slots straight to woken jobs. */
  handOn: SlotHandOn;
}

function needsOf(job: JobRow): JobNeeds {
  return {
    model: job.request.model,
    duration: job.request.duration,
    images: imagesOf(job.request),
    jobId: job.id,
    ...(job.request.email ? { email: job.request.email } : {}),
  };
}

/** Where the job waits in the waiting room: under its pin (decided by `pinOf`, as for the choice), else by model tier. */
function waitNeeds(job: JobRow): WaitNeeds {
  const pinned = pinOf(needsOf(job));
  return {
    jobId: job.id,
    bullPriority: bullPriority(job.priority, job.batchRow),
    pinnedTo: pinned.kind === 'ok' ? pinned.pin : null,
    ultraOnly: !tiersFor(job.request).includes('pro'),
  };
}

/**
 * Accounts for jobs, across every worker process: the pure choice ranks the pool, Redis takes
 * the first truly free slot atomically, and upstream answers feed back into account state.
 */
export function createAccountScheduler(p: SchedulerParts): AccountLeases {
  const { config, slots, stats, limits, snapshots, effects, gate, waitingRoom, slotRelease, handOn, logger } = p;
  const { adaptive, ...pace } = config.accounts.workingLimits;

  async function ceilingOf(email: string): Promise<number> {
    return (await snapshots.rows()).find((r) => r.email === email)?.maxConcurrent ?? config.accounts.maxConcurrent;
  }

  /**
   * The account's working limit learns (`nextWorkingLimit` decides, Redis shares it with a
   * compare-and-set). True when the state was written or needed no write; false when another
   * process changed it since `version` was read.
   */
  async function apply(email: string, before: WorkingLimit, version: string, event: LimitEvent, ceiling: number) {
    const decision = nextWorkingLimit(before, event, ceiling, pace);
    if (!decision.changed) return { decision, written: true };
    if (!(await limits.write(email, version, decision.next))) return { decision, written: false };
    snapshots.invalidate();
    // A slot more: a waiting job takes it now (a release wakes one job per freed slot, so no
    // release would hand this one on).
    if (decision.next.limit > before.limit) await slotRelease.wakeOneFor(email);
    const why = event.kind === 'completed' ? `${before.clean + 1} clean completions at ${before.limit}` : `throttling 429 with ${event.running} running`;
    logger.warn(
      { account: email, from: before.limit, to: decision.next.limit, ceiling, reason: why },
      decision.next.limit < before.limit ? 'account working limit cut' : 'account working limit raised',
    );
    return { decision, written: true };
  }

  /** A throttling 429 for a slot taken under `limitAtAcquire`: true when it counts toward a cool-off. */
  async function learnThrottle(email: string, limitAtAcquire: number): Promise<boolean> {
    const ceiling = await ceilingOf(email);
    for (let tries = 0; tries < 3; tries++) {
      const { state, version, running } = await limits.read(email, ceiling);
      const { decision, written } = await apply(email, state, version, { kind: 'throttled', running, limitAtAcquire }, ceiling);
      if (written) return decision.countsTowardCoolOff;
    }
    return true;
  }

  /**
   * A job that may have been woken for a freed slot: claim the slot handed to it, if any, with
   * the gate read in the same call. The job keeps the slot when the gate is open and the choice
   * would take that account (`keepsHandedSlot`); otherwise it gives it back without handing it on.
   */
  async function claimHanded(job: JobRow, now: Date): Promise<{ kept: { email: string; limit: number } | null; closed: GateClosed | null }> {
    const { handed, read } = await handOn.claim(job.id, config.accounts.leaseMs, [...gate.keys]);
    const closed = gate.judge(read, now);
    if (!handed) return { kept: null, closed };
    if (!closed && keepsHandedSlot(await snapshots.cached(), needsOf(job), handed.email, now)) return { kept: handed, closed };
    await slotRelease.releaseAndWake(handed.email, job.id);
    return { kept: null, closed };
  }

  return {
    async acquire(job, now, opts = {}): Promise<LeaseResult> {
      // Fair and cheap under a flood: while jobs of the same kind wait, a new one parks behind
      // them (every release wakes the oldest), rather than racing them for the slot.
      // Listed in the room in the same call (`listed`), so parking it costs no second call.
      if (opts.firstLook && (await waitingRoom.parkIfOthersWait(waitNeeds(job))) > 0) {
        return { ok: false, kind: 'wait', retryAt: now.getTime() + config.worker.parkMaxMs, reason: 'behind_waiting_jobs', listed: true };
      }
      // A job looked at before may have been woken with a slot handed to it (see createSlotRelease).
      const claimed = opts.firstLook ? { kept: null, closed: await gate.check(now) } : await claimHanded(job, now);
      if (claimed.kept) return { ok: true, ...claimed.kept };
      const { closed } = claimed;
      if (closed) return { ok: false, kind: 'wait', retryAt: closed.until.getTime(), reason: closed.reason };
      const { pool } = await snapshots.take(now);
      // Eligibility and order are decided once, by the pure choice; Redis then takes the first free one.
      const choice = chooseAccounts(pool, { ...needsOf(job), avoid: opts.avoid }, now);
      if (choice.kind === 'impossible') return { ok: false, kind: 'impossible', ...impossibleError(choice.reason, job) };
      if (choice.kind === 'wait') {
        return { ok: false, kind: 'wait', retryAt: choice.retryAt?.getTime() ?? now.getTime() + config.worker.parkMaxMs, reason: choice.reason };
      }
      const got = await slots.acquire(
        choice.ranked.map((a) => ({ email: a.email, maxConcurrent: a.maxConcurrent, maxPerMinute: a.maxPerMinute })),
        job.id,
        { leaseMs: config.accounts.leaseMs },
      );
      if (got.ok) {
        // Woken by its own timer, the job may still be listed as waiting: it is not any more.
        // (On its first look it has never parked.)
        if (!opts.firstLook) await waitingRoom.unpark(waitNeeds(job));
        return { ok: true, email: got.email, limit: got.limit };
      }
      return { ok: false, kind: 'wait', retryAt: got.retryAt, reason: 'all_busy' };
    },

    async renew(email, jobId) {
      // Lost (expired, or Redis wiped) while the job runs upstream: the slot is in use all the same.
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
      return refillIdleSlots(idleSlots(pool, now), slotRelease, moreQueued);
    },

    async afterParking(job) {
      const wait = waitNeeds(job);
      // Closing the lost-wake-up window: a slot freed between our failed acquire and the park
      // found nobody to wake. Either its waker left us a flag, or the slot is visibly free now.
      const looked = await waitingRoom.afterParking(wait);
      if (looked === 'flag') return true;
      // Others of our kind wait too: a release wakes one of them, so no slot can stay idle.
      if (looked > 1) return false;
      if (await gate.check(new Date())) return false;
      const { pool } = await snapshots.take(new Date());
      if (chooseAccounts(pool, needsOf(job), new Date()).kind !== 'accounts') return false;
      await waitingRoom.unpark(wait);
      return true;
    },

    async recordOutcome(email, job, outcome: UpstreamOutcome, now, limitAtAcquire) {
      switch (outcome.type) {
        case 'success':
          await gate.serviceAnswered();
          return;
        case 'retry_other_account': {
          // A throttling 429 explained by a limit set too high only cuts the working limit; only
          // those that go on under a limit already cut count toward a cool-off. Other 429s, and
          // answers that are not a video submission's, count as every 429 did.
          const teaches = adaptive && limitAtAcquire !== undefined && outcome.reason === REASON_THROTTLED;
          if (teaches && !(await learnThrottle(email, limitAtAcquire))) return;
          await stats.record(email, 'throttled', { at: now });
          const cool = coolOff(await stats.throttledAt(email, now), now, config.accounts.coolOff);
          // A cool-off lasts at least as long as the server's Retry-After said.
          const until = cool && outcome.accountUntil && outcome.accountUntil > cool.coolUntil ? outcome.accountUntil : cool?.coolUntil;
          if (until) await effects.coolOff(email, until, `${config.accounts.coolOff.threshold} throttling 429s (${outcome.reason})`);
          return;
        }
        case 'cool_off':
          await effects.coolOff(email, outcome.until, outcome.reason);
          return;
        case 'model_quota':
          await effects.modelQuota(email, outcome.model ?? job.request.model, outcome.until, outcome.reason);
          return;
        case 'needs_reauth':
        case 'no_credits':
          await effects.setState(email, outcome.type, outcome.message);
          return;
        case 'account_missing':
          await effects.setState(email, 'missing', outcome.message);
          return;
        case 'model_denied':
          await effects.denyModel(email, outcome.model ?? job.request.model, outcome.message);
          return;
        case 'captcha_rejected':
          // Counted in the account's health: repeated refusals rank it below accounts whose captchas pass.
          await stats.record(email, 'failed', { at: now });
          return;
        case 'token_invalid':
          if (await gate.tokenRefused(outcome.message))
            logger.error({ reason: outcome.message }, 'useapi refused the token: dispatch paused until a probe succeeds');
          return;
        case 'retry_soon':
          if (outcome.kind === 'capacity' || outcome.kind === 'captcha_provider') {
            // Told apart in the account's events and the logs: one waits for Google, the other for a person.
            await effects.serviceUnavailable(email, outcome.kind, outcome.message);
            const backoff = await gate.serviceUnavailable(now);
            if (backoff.pausedUntil)
              logger.warn(
                { consecutive: backoff.consecutive, until: backoff.pausedUntil, cause: outcome.kind },
                'useapi keeps answering 503: dispatch backs off',
              );
          } else if (outcome.kind === 'transient_error') {
            await stats.record(email, 'failed', { at: now });
          }
          return;
        case 'timeout':
          await stats.record(email, 'failed', { at: now });
          return;
        default:
          return;
      }
    },

    async tierOf(email) {
      return (await snapshots.rows()).find((r) => r.email === email)?.tier ?? 'pro';
    },

    async recordGeneration(email, succeeded, generationMs) {
      // A success is counted as a clean completion toward a raise in the same call, where the
      // account's limit was cut; only a raise costs a round trip of its own.
      const fields = await stats.record(email, succeeded ? 'succeeded' : 'failed', {
        ...(generationMs !== null ? { generationMs } : {}),
        ...(adaptive && succeeded ? { countCleanIn: limits.keyOf(email) } : {}),
      });
      if (!fields) return;
      const ceiling = await ceilingOf(email);
      const { state, version } = parseWorkingLimit(fields, ceiling);
      // The state after this completion was counted: the decision sees it as the one before it.
      // A lost compare-and-set means another process changed the limit meanwhile: nothing to do.
      await apply(email, { ...state, clean: Math.max(0, state.clean - 1) }, version, { kind: 'completed' }, ceiling);
    },
  };
}
