import type { GenerateQueue } from './generate-queue';
import type { WaitingRoom } from './waiting-room';

/** Wakes a parked job; false when there was nobody to wake (gone, finished, already awake). */
export async function promoteParked(queue: GenerateQueue, waitingRoom: WaitingRoom, jobId: string): Promise<boolean> {
  const job = await queue.getJob(jobId);
  if (!job) return false;
  const state = await job.getState();
  if (state === 'delayed') {
    await job.promote().catch(() => undefined);
    return true;
  }
  if (state === 'active') {
    // Between its failed acquire and its delay: it promotes itself on this flag.
    await waitingRoom.leaveWakeFlag(jobId);
    return true;
  }
  return false;
}

/**
 * One slot of `email` is free: wake the most urgent job that account can serve. A stale entry
 * (a job cancelled, or woken by its own timer meanwhile) must not eat the wake-up, so the next
 * one is tried, a few times.
 */
export async function wakeOneFor(queue: GenerateQueue, waitingRoom: WaitingRoom, email: string, tier: 'ultra' | 'pro'): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const jobId = await waitingRoom.popFor(email, tier);
    if (!jobId || (await promoteParked(queue, waitingRoom, jobId))) return;
  }
}
