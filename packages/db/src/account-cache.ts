import { listAccounts } from './queries/accounts';
import type { AccountRow } from './schema';
import type { Db } from './client';

/**
 * The account rows (settings and states) cached for a moment: hundreds of steps and callbacks
 * a second ask, and a stale row costs at most one wrong guess that Redis or the next answer
 * corrects. Concurrent readers share one query. Each process has its own; a process that
 * changes an account invalidates its copy, the others see it within `cacheMs`.
 */
export function createAccountCache(db: Db, cacheMs = 250) {
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
    rows,
    /** Forget the cached rows: this process just changed an account. */
    invalidate(): void {
      cached = null;
    },
    /** The account's tier; undefined for an account not (or no longer) configured. */
    async tierOf(email: string): Promise<AccountRow['tier'] | undefined> {
      const lower = email.toLowerCase();
      return (await rows()).find((r) => r.email.toLowerCase() === lower)?.tier;
    },
  };
}

export type AccountCache = ReturnType<typeof createAccountCache>;
