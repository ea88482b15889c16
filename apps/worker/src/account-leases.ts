import type { JobErrorCode } from '@flowq/core';
import type { JobRow } from '@flowq/db';
import type { UpstreamOutcome } from '@flowq/useapi-client';

export type LeaseResult =
  /** limit: the limit the slot was taken under (what a throttling 429 for it says is too high). */
  | { ok: true; email: string; limit: number }
  /** No account can take the job now; look again at `retryAt` (or when a slot frees, if parked). `listed`: already in the waiting room. */
  | { ok: false; kind: 'wait'; retryAt: number; reason: string; listed?: boolean }
  /** No account ever can (images of two accounts, an unknown pinned account, ...). */
  | { ok: false; kind: 'impossible'; code: JobErrorCode; message: string };

/**
 * The worker's view of the account pool: take an account for a job (holding one of its
 * generation slots), keep it while the upstream job runs, give it back at the end, and
 * learn from every upstream answer.
 */
export interface AccountLeases {
  /**
   * `firstLook`: the job has never been looked at. If jobs of its kind already wait, it queues
   * behind them instead of taking a slot one of them is being woken for.
   */
  acquire(job: JobRow, now: Date, opts?: { firstLook?: boolean; avoid?: string }): Promise<LeaseResult>;
  /** Keeps the job's slot while its upstream job runs; takes it back if the lease was lost. */
  renew(email: string, jobId: string): Promise<void>;
  release(email: string, jobId: string): Promise<void>;
  /**
   * Parking, in two halves around the BullMQ delay. `enterWaitingRoom` (before the delay) lists
   * the job where a freed slot finds it, so every delayed parked job is listed: a freed slot or
   * the idle-slot refill wakes it, not a timer per job. `afterParking` (once delayed) returns
   * true when it should run again at once instead: a wake-up came while it was still active
   * (its flag), or a slot freed meanwhile is visibly free.
   */
  enterWaitingRoom(job: JobRow): Promise<void>;
  afterParking(job: JobRow): Promise<boolean>;
  /**
   * Wakes waiting jobs for slots that are free while jobs wait (a wake-up lost to a job that
   * expired or was cancelled meanwhile, a promote that failed): one job per free slot of each
   * account that can take one now, then, for slots still idle, the most urgent queued jobs
   * `moreQueued` names (Postgres). Maintenance runs it; returns how many it woke.
   */
  refillIdleSlots(now: Date, moreQueued: (limit: number) => Promise<string[]>): Promise<number>;
  /**
   * What an answer from `email` says about the account and the service. `limitAtAcquire`: for the
   * answer to a video-lane submission, the limit its slot was taken under (`acquire`'s `limit`):
   * only such a throttling 429 teaches the account's working limit.
   */
  recordOutcome(email: string, job: JobRow, outcome: UpstreamOutcome, now: Date, limitAtAcquire?: number): Promise<void>;
  /** A generation ended upstream (for the account's rolling statistics). */
  recordGeneration(email: string, succeeded: boolean, generationMs: number | null): Promise<void>;
  /** The account's tier, from the cached pool (what a generation on it cost). */
  tierOf(email: string): Promise<'ultra' | 'pro'>;
}
