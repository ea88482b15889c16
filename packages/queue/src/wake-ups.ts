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
  // A job parks by entering the waiting room, then moving to delayed: a wake-up can find it in
  // either state, and it can move between our reads. Most find it delayed, and promoting by id
  // is one script call.
  for (let look = 0; look < 3; look++) {
    const promoted = await promote(queue, jobId);
    if (promoted !== 'not_delayed') return promoted === 'promoted';
    const state = await queue.getJobState(jobId);
    if (state === 'delayed') continue; // it became delayed after our promote: promote again
    if (state !== 'active') return false;
    // Mid-step: it reads this flag once delayed. If it became delayed before the flag was
    // there, it did not see it: look again (promote it ourselves).
    await waitingRoom.leaveWakeFlag(jobId);
    if ((await queue.getJobState(jobId)) !== 'delayed') return true;
  }
  return true;
}

async function promote(queue: GenerateQueue, jobId: string): Promise<'promoted' | 'not_delayed' | 'gone'> {
  try {
    await new Job(queue, 'generate', { jobId }, {}, jobId).promote();
    return 'promoted';
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code === ErrorCode.JobNotExist) return 'gone';
    if (code === ErrorCode.JobNotInState) return 'not_delayed';
    throw err;
  }
}

/** The part of the account slots a release needs (kept structural: the queue package does not depend on the scheduler). */
export interface ReleasableSlots {
  release(email: string, leaseId: string): Promise<boolean>;
}

/** The hand-on of a freed slot (`createSlotHandOn` in @flowq/scheduler, kept structural as `ReleasableSlots`). */
export interface HandingSlots {
  handOn(
    email: string,
    leaseId: string,
    opts: { waitingKeys: string[]; limits: { maxConcurrent: number; maxPerMinute: number }; unclaimedOnly?: boolean },
  ): Promise<{ freed: false } | { freed: true; handedTo: string | null }>;
}

/** Stale waiting-room entries (a job cancelled, or woken by its own timer meanwhile) tried before a freed slot is simply left free. */
const WAKE_TRIES = 5;

/**
 * Giving an account slot back and handing it on, in one place for the webhook route and the
 * worker: the slot is released, and if this call freed it, the most urgent job that account can
 * serve is woken, so the slot is taken again within milliseconds, one job per freed slot.
 * With `handOn`, on an account open for work (`limitsOf` answers its limits), the slot is not
 * even released: one script moves it to the woken job, which claims it instead of acquiring.
 */
export function createSlotRelease(deps: {
  queue: GenerateQueue;
  waitingRoom: WaitingRoom;
  slots: ReleasableSlots;
  /** The account's tier (an Ultra account also serves the Ultra-only room); undefined for an unknown account. */
  tierOf(email: string): Promise<'ultra' | 'pro' | undefined>;
  handOn?: {
    slots: HandingSlots;
    /** The account's tier and limits when its slots may be handed on (`mayHandOn`), else null. */
    limitsOf(email: string): Promise<{ tier: 'ultra' | 'pro'; maxConcurrent: number; maxPerMinute: number } | null>;
  };
  /** A failed wake-up is not an error: the parked job wakes on its own timer. */
  onWakeError?(err: unknown): void;
}) {
  const { queue, waitingRoom, slots, tierOf } = deps;

  /**
   * Releases the slot and hands it to the most urgent waiting job the account can serve, woken
   * at once. A job that cannot be woken (gone, already running) gets its handed slot taken back
   * unless it claimed it meanwhile, and the next one is tried. Null: the account's slots are not
   * handed on now (release and wake instead).
   */
  async function handOn(email: string, jobId: string): Promise<boolean | null> {
    if (!deps.handOn) return null;
    const limits = await deps.handOn.limitsOf(email);
    if (!limits) return null;
    const waitingKeys = waitingRoom.keysFor(email, limits.tier);
    let lease = jobId;
    for (let i = 0; i <= WAKE_TRIES; i++) {
      // After the last try the stale job's slot is only taken back, not handed on again.
      const keys = i < WAKE_TRIES ? waitingKeys : [];
      const r = await deps.handOn.slots.handOn(email, lease, { waitingKeys: keys, limits, unclaimedOnly: i > 0 });
      // Not freed: our lease was not held (i = 0), or the woken job claimed its slot after all.
      if (!r.freed) return i > 0;
      if (!r.handedTo) return true;
      const woken = waitingRoom.jobIdOf(r.handedTo);
      try {
        if (await wakeJob(queue, waitingRoom, woken)) return true;
      } catch (err) {
        // The handed slot frees itself shortly if nobody claims it.
        deps.onWakeError?.(err);
        return true;
      }
      lease = woken;
    }
    return true;
  }

  /**
   * One slot of `email` is free: wake the most urgent job that account can serve. A stale entry
   * (a job cancelled, or woken by its own timer meanwhile) must not eat the wake-up, so the next
   * one is tried, a few times. True when a job was woken.
   */
  async function wakeOneFor(email: string): Promise<boolean> {
    try {
      const tier = (await tierOf(email)) ?? 'pro';
      for (let i = 0; i < WAKE_TRIES; i++) {
        const jobId = await waitingRoom.popFor(email, tier);
        if (!jobId) return false;
        if (await wakeJob(queue, waitingRoom, jobId)) return true;
      }
    } catch (err) {
      deps.onWakeError?.(err);
    }
    return false;
  }

  async function releaseAndWake(email: string, jobId: string): Promise<boolean> {
    if (!(await slots.release(email, jobId))) return false;
    await wakeOneFor(email);
    return true;
  }

  return {
    wakeOneFor,
    /** Wakes this job (of this lane's waiting room); true when it was woken. */
    wake: (jobId: string) => wakeJob(queue, waitingRoom, jobId),
    /** True when this call freed the slot (and handed it on, or woke a waiting job for it). */
    async release(email: string, jobId: string): Promise<boolean> {
      const handed = await handOn(email, jobId);
      return handed ?? releaseAndWake(email, jobId);
    },
    /**
     * Releases without handing on: the woken job chooses for itself. For a handed slot its job
     * may not use (a slot no job may use must not be passed from job to job).
     */
    releaseAndWake,
  };
}

export type SlotRelease = ReturnType<typeof createSlotRelease>;
