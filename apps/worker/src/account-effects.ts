import type { Logger } from '@flowq/config';
import { accounts, recordAccountEvent, type Db } from '@flowq/db';
import { and, eq, ne, or, sql, lt, isNull } from 'drizzle-orm';

/**
 * Account state changes caused by upstream answers. Each is a compare-and-set, so among
 * hundreds of jobs hearing the same 596 only the first writes, records the event and logs.
 */
export function createAccountEffects(db: Db, logger: Logger, onChange: () => void) {
  async function setState(email: string, to: 'needs_reauth' | 'no_credits', reason: string): Promise<boolean> {
    const changed = await db.transaction(async (tx) => {
      const [row] = await tx
        .update(accounts)
        .set({ state: to, stateReason: reason, updatedAt: new Date() })
        .where(and(eq(accounts.email, email), ne(accounts.state, to)))
        .returning({ email: accounts.email });
      if (row) await recordAccountEvent(tx, { email, kind: 'state_changed', toState: to, reason });
      return Boolean(row);
    });
    if (changed) {
      onChange();
      logger.warn({ account: email, state: to, reason }, 'account state changed');
    }
    return changed;
  }

  async function coolOff(email: string, until: Date, reason: string): Promise<boolean> {
    const changed = await db.transaction(async (tx) => {
      const [row] = await tx
        .update(accounts)
        .set({ state: 'cooling', coolingUntil: until, stateReason: reason, updatedAt: new Date() })
        .where(
          and(
            eq(accounts.email, email),
            or(eq(accounts.state, 'active'), and(eq(accounts.state, 'cooling'), or(isNull(accounts.coolingUntil), lt(accounts.coolingUntil, until)))),
          ),
        )
        .returning({ email: accounts.email });
      if (row) await recordAccountEvent(tx, { email, kind: 'cooled_off', toState: 'cooling', reason, until });
      return Boolean(row);
    });
    if (changed) {
      onChange();
      logger.warn({ account: email, until: until.toISOString(), reason }, 'account cooled off');
    }
    return changed;
  }

  async function modelQuota(email: string, model: string, until: Date, reason: string): Promise<boolean> {
    const iso = until.toISOString();
    const changed = await db.transaction(async (tx) => {
      const [row] = await tx
        .update(accounts)
        .set({ modelQuotaUntil: sql`${accounts.modelQuotaUntil} || jsonb_build_object(${model}::text, ${iso}::text)`, updatedAt: new Date() })
        .where(and(eq(accounts.email, email), sql`coalesce(${accounts.modelQuotaUntil} ->> ${model}::text, '') < ${iso}`))
        .returning({ email: accounts.email });
      if (row) await recordAccountEvent(tx, { email, kind: 'model_quota', reason: `${model}: ${reason}`, until });
      return Boolean(row);
    });
    if (changed) {
      onChange();
      logger.warn({ account: email, model, until: iso, reason }, 'account reached its daily quota for a model');
    }
    return changed;
  }

  /** Cool-offs whose time has come end; returns the accounts that came back. */
  async function liftExpiredCoolOffs(now: Date): Promise<string[]> {
    const lifted = await db.transaction(async (tx) => {
      const rows = await tx
        .update(accounts)
        .set({ state: 'active', coolingUntil: null, stateReason: null, updatedAt: now })
        .where(and(eq(accounts.state, 'cooling'), lt(accounts.coolingUntil, now)))
        .returning({ email: accounts.email });
      for (const r of rows) await recordAccountEvent(tx, { email: r.email, kind: 'cool_off_lifted', fromState: 'cooling', toState: 'active' });
      return rows.map((r) => r.email);
    });
    if (lifted.length) {
      onChange();
      logger.info({ accounts: lifted }, 'cool-off over; accounts take jobs again');
    }
    return lifted;
  }

  return { setState, coolOff, modelQuota, liftExpiredCoolOffs };
}

export type AccountEffects = ReturnType<typeof createAccountEffects>;
