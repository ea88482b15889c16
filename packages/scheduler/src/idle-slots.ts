/** What `idleSlots` needs to know of an account (a pool snapshot, video or image lane). */
export interface IdleSlotView {
  email: string;
  enabled: boolean;
  draining: boolean;
  state: string;
  coolingUntil: Date | null;
  running: number;
  maxConcurrent: number;
  submittedLastMinute: number;
  maxPerMinute: number;
}

/**
 * Free slots that a waiting job could take now, per account: an active account, not draining
 * or cooling off, with slots under its (working) limit and submissions left in this minute.
 * The idle-slot refill wakes one waiting job for each: wake-ups lost to a job that expired or
 * was cancelled meanwhile, or to a failed promote, cost a slot at most until the next pass.
 */
export function idleSlots(pool: readonly IdleSlotView[], now: Date): { email: string; free: number }[] {
  const out: { email: string; free: number }[] = [];
  for (const a of pool) {
    if (!a.enabled || a.draining || a.state !== 'active') continue;
    if (a.coolingUntil && a.coolingUntil > now) continue;
    const free = Math.min(a.maxConcurrent - a.running, a.maxPerMinute - a.submittedLastMinute);
    if (free > 0) out.push({ email: a.email, free });
  }
  return out;
}
