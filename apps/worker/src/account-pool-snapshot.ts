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

    async take(now: Date): Promise<{ pool: AccountSnapshot[]; rows: AccountRow[] }> {
      const accountRows = await accounts.rows();
      const emails = accountRows.map((a) => a.email);
      const [usage, recent] = await Promise.all([slots.snapshot(emails), stats.read(emails, now)]);
      const pool = accountRows.map(
        (a, i): AccountSnapshot => ({
          email: a.email,
          tier: a.tier,
          enabled: a.enabled,
          state: a.state,
          coolingUntil: a.coolingUntil,
          draining: a.draining,
          running: usage[i]?.running ?? 0,
          // The configured limit is a ceiling; the working limit learned from 429s applies when lower.
          maxConcurrent: Math.min(a.maxConcurrent, usage[i]?.workingLimit ?? a.maxConcurrent),
          submittedLastMinute: usage[i]?.submittedLastMinute ?? 0,
          maxPerMinute: a.maxPerMinute,
          modelQuotaUntil: Object.fromEntries(Object.entries(a.modelQuotaUntil ?? {}).map(([m, t]) => [m, new Date(t)])),
          recent: recent[i]?.recent ?? { succeeded: 0, failed: 0, throttled: 0 },
          videoModels: a.videoModels,
          deniedModels: a.deniedModels,
          meanGenerationMs: recent[i]?.meanGenerationMs ?? null,
        }),
      );
      return { pool, rows: accountRows };
    },
  };
}

export type PoolSnapshots = ReturnType<typeof createPoolSnapshots>;
