import { chooseAccounts, type AccountSnapshot, type JobNeeds } from './pick-account';
import type { HandOnLimits } from './slot-hand-on';

/** What the hand-on policy needs to know of an account (its cached settings and state). */
export interface HandOnAccountView extends HandOnLimits {
  email: string;
  tier: 'ultra' | 'pro';
  enabled: boolean;
  draining: boolean;
  state: string;
  coolingUntil: Date | null;
}

/**
 * May a slot freed on this account be handed straight to a waiting job? Only on an account open
 * for work (enabled, active, not draining, not cooling off), the ones `idleSlots` refills. A slot
 * of any other account is only released, and the job woken for it chooses for itself, so a slot
 * nobody may use is never passed from job to job.
 */
export function mayHandOn(account: Omit<HandOnAccountView, 'email' | 'tier' | keyof HandOnLimits>, now: Date): boolean {
  if (!account.enabled || account.draining || account.state !== 'active') return false;
  return !(account.coolingUntil && account.coolingUntil > now);
}

/**
 * Does the job keep the slot it was handed? The waiting room only files a job where a fitting
 * account can find it (its pin, Ultra-only or any), but the hand-on knows nothing of the job's
 * model: the job keeps the slot only when the pure choice, on the pool as cached (the slot limits
 * were enforced by Redis when the slot was taken, so usage is left out), would take that account.
 */
export function keepsHandedSlot(pool: AccountSnapshot[], needs: JobNeeds, email: string, now: Date): boolean {
  const free = pool.map((a) => ({ ...a, running: 0, submittedLastMinute: 0 }));
  const choice = chooseAccounts(free, needs, now);
  return choice.kind === 'accounts' && choice.ranked.some((a) => a.email === email);
}

/** The limits to hand a slot of `email` on under, or null when it may not be handed on (`mayHandOn`), from cached account rows. */
export function handOnLimitsFrom(rows: () => Promise<readonly HandOnAccountView[]>) {
  return async (email: string, now = new Date()): Promise<(HandOnLimits & { tier: 'ultra' | 'pro' }) | null> => {
    const lower = email.toLowerCase();
    const row = (await rows()).find((r) => r.email.toLowerCase() === lower);
    return row && mayHandOn(row, now) ? { tier: row.tier, maxConcurrent: row.maxConcurrent, maxPerMinute: row.maxPerMinute } : null;
  };
}
