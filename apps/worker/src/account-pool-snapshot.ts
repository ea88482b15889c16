import { listAccounts, type AccountRow, type Db } from '@flowq/db';
import type { AccountSlots, AccountSnapshot, AccountStatsStore } from '@flowq/scheduler';

/**
 * The pool as the pure choice function sees it: Postgres settings and states (cached for a
 * moment, since hundreds of steps a second ask), Redis slot usage and recent outcomes (live).
 */
export function createPoolSnapshots(db: Db, slots: AccountSlots, stats: AccountStatsStore, cacheMs = 250) {
  let cached: { at: number; rows: AccountRow[] } | null = null;
  let inflight: Promise<AccountRow[]> | null = null;

  async function rows(): Promise<AccountRow[]> {
    if (cached && Date.now() - cached.at < cacheMs) return cached.rows;
    inflight ??= listAccounts(db).then(
      (r) => {
        cached = { at: Date.now(), rows: r };
        inflight = null;
        return r;
      },
      (err) => {
        inflight = null;
        throw err;
      },
    );
    return inflight;
  }

  return {
    /** Forget the cached rows: this process just changed an account. */
    invalidate(): void {
      cached = null;
    },

    /** Postgres settings and states only (cached): enough to know an account's tier. */
    accounts: rows,

    async take(now: Date): Promise<{ pool: AccountSnapshot[]; rows: AccountRow[] }> {
      const accountRows = await rows();
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
          maxConcurrent: a.maxConcurrent,
          submittedLastMinute: usage[i]?.submittedLastMinute ?? 0,
          maxPerMinute: a.maxPerMinute,
          modelQuotaUntil: Object.fromEntries(Object.entries(a.modelQuotaUntil ?? {}).map(([m, t]) => [m, new Date(t)])),
          recent: recent[i]?.recent ?? { succeeded: 0, failed: 0, throttled: 0 },
          meanGenerationMs: recent[i]?.meanGenerationMs ?? null,
        }),
      );
      return { pool, rows: accountRows };
    },
  };
}

export type PoolSnapshots = ReturnType<typeof createPoolSnapshots>;
