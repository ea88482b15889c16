import { pgClientOf } from '../named-statement';
import { inTransaction } from '../transaction';
import { and, eq, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { accounts } from '../schema';
import { recordAccountEvent } from './account-events';

/**
 * Account state changes caused by upstream answers. Each is a compare-and-set in one
 * transaction with its event, so among hundreds of jobs hearing the same 596 only the first
 * writes and records it; each returns whether it changed the row.
 */
export async function setAccountState(db: Db, email: string, to: 'needs_reauth' | 'no_credits' | 'missing', reason: string): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const [row] = await tx
      .update(accounts)
      .set({ state: to, stateReason: reason, updatedAt: new Date() })
      .where(and(eq(accounts.email, email), ne(accounts.state, to)))
      .returning({ email: accounts.email });
    if (row) await recordAccountEvent(tx, { email, kind: 'state_changed', toState: to, reason });
    return Boolean(row);
  });
}

/** Cools an active account off, or extends a cool-off that would end sooner. */
export async function coolOffAccount(db: Db, email: string, until: Date, reason: string): Promise<boolean> {
  return inTransaction(db, async (tx) => {
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
}

/** Blocks one model on the account until `until`, unless it is already blocked as long. */
export async function blockModelUntil(db: Db, email: string, model: string, until: Date, reason: string): Promise<boolean> {
  const iso = until.toISOString();
  return inTransaction(db, async (tx) => {
    const [row] = await tx
      .update(accounts)
      .set({ modelQuotaUntil: sql`${accounts.modelQuotaUntil} || jsonb_build_object(${model}::text, ${iso}::text)`, updatedAt: new Date() })
      .where(and(eq(accounts.email, email), sql`coalesce(${accounts.modelQuotaUntil} ->> ${model}::text, '') < ${iso}`))
      .returning({ email: accounts.email });
    if (row) await recordAccountEvent(tx, { email, kind: 'model_quota', reason: `${model}: ${reason}`, until });
    return Boolean(row);
  });
}

/** The account answered 403 MODEL_ACCESS_DENIED for `model`: remembered, so the scheduler never sends it that model again. */
export async function denyModel(db: Db, email: string, model: string, reason: string): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const [row] = await tx
      .update(accounts)
      .set({ deniedModels: sql`${accounts.deniedModels} || jsonb_build_object(${model}::text, ${new Date().toISOString()}::text)`, updatedAt: new Date() })
      .where(and(eq(accounts.email, email), sql`not (${accounts.deniedModels} ? ${model}::text)`))
      .returning({ email: accounts.email });
    if (row) await recordAccountEvent(tx, { email, kind: 'model_denied', reason: `${model}: ${reason}` });
    return Boolean(row);
  });
}

/**
 * Cool-offs whose time has come end; returns the accounts that came back. One statement, each
 * account with its event, atomic like a transaction: every worker process runs it every second,
 * and nearly always nothing is due (it was a transaction of three statements even then).
 */
export async function liftExpiredCoolOffs(db: Db, now: Date): Promise<string[]> {
  const client = pgClientOf(db);
  const { rows } = await client.query({ name: 'flowq_lift_cool_offs', text: LIFT_COOL_OFFS_SQL, values: [now.toISOString()] });
  return (rows as { email: string }[]).map((r) => r.email);
}

// $1 now.
const LIFT_COOL_OFFS_SQL = `with lifted as (
  update accounts set state = 'active', cooling_until = null, state_reason = null, updated_at = $1::timestamptz
  where state = 'cooling' and cooling_until < $1::timestamptz
  returning email),
events as (
  insert into account_events (email, kind, from_state, to_state)
  select lower(email), 'cool_off_lifted', 'cooling', 'active' from lifted
  returning id)
select email from lifted`;
