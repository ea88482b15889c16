import type { SlotLane } from './account-slots';

/** Redis keys of an account's slots, one set per lane (the video lane keeps the names it always had). */
export function slotKeys(prefix: string, email: string, lane: SlotLane = 'video') {
  const base = `${prefix}:slots:${email.toLowerCase()}:${lane === 'video' ? '' : `${lane}-`}`;
  return {
    leases: `${base}leases`,
    submits: `${base}submits`,
    /**
     * The working limit learned from throttling 429s (`working-limit.ts`). Only the video lane's is
     * ever written: image slots keep their configured limit, so theirs is always absent.
     */
    workingLimit: `${base}limit`,
  };
}
