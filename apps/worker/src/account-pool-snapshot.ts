import type { AccountCache, AccountRow } from '@flowq/db';
import type { AccountSlots, AccountSnapshot, AccountStatsStore } from '@flowq/scheduler';

/**
 * The pool as the pure choice function sees it: Postgres settings and states (cached for a
 * moment: `AccountCache`), Redis slot usage and recent outcomes (live).
 */
export function createPoolSnapshots(accounts: AccountCache, slots: AccountSlots, stats: AccountStatsStore) {
  return {
    /** Forget the cached rows: this process just changed an account. */
    invalidate(): void {
      accounts.invalidate();
    },

    /** The cached Postgres rows alone (no Redis): settings such as tier and configured limits. */
    rows(): Promise<AccountRow[]> {
      return accounts.rows();
    },

    /**
     * The pool from the cached rows alone (no Redis): usage and recent outcomes left at zero. For
     * judging a slot already taken in Redis (`keepsHandedSlot`), where only eligibility counts.
     */
    async cached(): Promise<AccountSnapshot[]> {
      return (await accounts.rows()).map((a) => snapshotOf(a));
    },

    async take(now: Date): Promise<{ pool: AccountSnapshot[]; rows: AccountRow[] }> {
      const accountRows = await accounts.rows();
      const emails = accountRows.map((a) => a.email);
      const [usage, recent] = await Promise.all([slots.snapshot(emails), stats.read(emails, now)]);
      const pool = accountRows.map((a, i) => snapshotOf(a, usage[i], recent[i]));
      return { pool, rows: accountRows };
    },
  };
}

function snapshotOf(
  a: AccountRow,
  usage?: { running: number; workingLimit: number | null; submittedLastMinute: number },
  recent?: { recent: AccountSnapshot['recent']; meanGenerationMs: number | null },
): AccountSnapshot {
  return {
    email: a.email,
    tier: a.tier,
    enabled: a.enabled,
    state: a.state,
    coolingUntil: a.coolingUntil,
    draining: a.draining,
    running: usage?.running ?? 0,
    // The configured limit is a ceiling; the working limit learned from 429s applies when lower.
    maxConcurrent: Math.min(a.maxConcurrent, usage?.workingLimit ?? a.maxConcurrent),
    submittedLastMinute: usage?.submittedLastMinute ?? 0,
    maxPerMinute: a.maxPerMinute,
    modelQuotaUntil: Object.fromEntries(Object.entries(a.modelQuotaUntil ?? {}).map(([m, t]) => [m, new Date(t)])),
    recent: recent?.recent ?? { succeeded: 0, failed: 0, throttled: 0 },
    videoModels: a.videoModels,
    deniedModels: a.deniedModels,
    meanGenerationMs: recent?.meanGenerationMs ?? null,
  };
}

export type PoolSnapshots = ReturnType<typeof createPoolSnapshots>;
