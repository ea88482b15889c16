import { ErrorCode, Job } from 'bullmq';
import type { GenerateQueue } from './generate-queue';
import type { WaitingRoom } from './waiting-room';

/**
 * Wakes one job: a delayed step runs now; a step still active (between its failed acquire and
 * its delay, or mid-poll) gets a flag it reads before it sleeps, so the wake-up is not lost.
 * False when there was nobody to wake (gone, finished, already waiting to run).
 * The only "wake this job" in flowq: callbacks, cancels, freed slots and wake-all use it.
 */
export async function wakeJob(queue: GenerateQueue, waitingRoom: WaitingRoom, jobId: string): Promise<boolean> {
  // Most wake-ups find the job delayed: promoting it by id is one script call, where reading
  // the job and its state first took three more round trips.
  try {
    await new Job(queue, 'generate', { jobId }, {}, jobId).promote();
    return true;
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === ErrorCode.JobNotExist) return false;
    if (code !== ErrorCode.JobNotInState) throw err;
  }
  if ((await queue.getJobState(jobId)) === 'active') {
    await waitingRoom.leaveWakeFlag(jobId);
    return true;
  }
  return false;
}

/** The part of the account slots a release needs (kept structural: the queue package does not depend on the scheduler). */
export interface ReleasableSlots {
  release(email: string, leaseId: string): Promise<boolean>;
}

/**
 * Giving an account slot back and handing it on, in one place for the webhook route and the
 * worker: the slot is released, and if this call freed it, the most urgent job that account can
 * serve is woken, so the slot is taken again within milliseconds, one job per freed slot.
 */
export function createSlotRelease(deps: {
  queue: GenerateQueue;
  waitingRoom: WaitingRoom;
  slots: ReleasableSlots;
  /** The account's tier (an Ultra account also serves the Ultra-only room); undefined for an unknown account. */
  tierOf(email: string): Promise<'ultra' | 'pro' | undefined>;
  /** A failed wake-up is not an error: the parked job wakes on its own timer. */
  onWakeError?(err: unknown): void;
}) {
  const { queue, waitingRoom, slots, tierOf } = deps;

  /**
   * One slot of `email` is free: wake the most urgent job that account can serve. A stale entry
   * (a job cancelled, or woken by its own timer meanwhile) must not eat the wake-up, so the next
   * one is tried, a few times.
   */
  async function wakeOneFor(email: string): Promise<void> {
    try {
      const tier = (await tierOf(email)) ?? 'pro';
      for (let i = 0; i < 5; i++) {
        const jobId = await waitingRoom.popFor(email, tier);
        if (!jobId || (await wakeJob(queue, waitingRoom, jobId))) return;
      }
    } catch (err) {
      deps.onWakeError?.(err);
    }
  }

  return {
    wakeOneFor,
    /** True when this call freed the slot (and woke a waiting job for it). */
    async release(email: string, jobId: string): Promise<boolean> {
      if (!(await slots.release(email, jobId))) return false;
      await wakeOneFor(email);
      return true;
    },
  };
}

export type SlotRelease = ReturnType<typeof createSlotRelease>;
