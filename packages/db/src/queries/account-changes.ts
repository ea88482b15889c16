import { inTransaction } from '../transaction';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { accounts, jobs, type AccountRow } from '../schema';
import { recordAccountEvent, type AccountEventInput, type DbOrTx } from './account-events';

/** The columns an account change may set. */
export type AccountPatch = Partial<
  Pick<
    AccountRow,
    | 'tier'
    | 'enabled'
    | 'state'
    | 'stateReason'
    | 'coolingUntil'
    | 'maxConcurrent'
    | 'maxPerMinute'
    | 'remainingCredits'
    | 'draining'
    | 'videoModels'
    | 'deniedModels'
  >
>;

/** What to write about a change; email and the states before and after are filled in. */
export type AccountChangeEvent = Omit<AccountEventInput, 'email' | 'fromState' | 'toState'>;

export interface NewAccount {
  email: string;
  tier?: 'ultra' | 'pro';
  enabled?: boolean;
  maxConcurrent?: number;
  maxPerMinute?: number;
  state?: AccountRow['state'];
  stateReason?: string | null;
  remainingCredits?: number | null;
  videoModels?: string[] | null;
}

/** Adds the account and its `added` event in one transaction; undefined when the email exists. */
export async function insertAccount(db: Db, input: NewAccount, event: AccountChangeEvent = { kind: 'added' }): Promise<AccountRow | undefined> {
  return inTransaction(db, async (tx) => {
    const [row] = await tx
      .insert(accounts)
      .values({ ...input, email: input.email.toLowerCase() })
      .onConflictDoNothing()
      .returning();
    if (row) await recordAccountEvent(tx, { ...event, email: row.email, toState: row.state });
    return row;
  });
}

export type AccountChangeDecision = { set: AccountPatch; event: AccountChangeEvent } | null;

export type AccountChangeResult = { kind: 'changed'; before: AccountRow; after: AccountRow } | { kind: 'unchanged'; row: AccountRow } | { kind: 'not_found' };

/**
 * Locks the account, lets `decide` choose a change from what it is now (null: nothing to do;
 * throwing rolls back), then writes the change and its event in the same transaction, so two
 * admins or an admin and a worker cannot interleave a read and a write.
 */
export async function changeAccount(db: Db, email: string, decide: (current: AccountRow) => AccountChangeDecision): Promise<AccountChangeResult> {
  const key = email.toLowerCase();
  return inTransaction(db, async (tx): Promise<AccountChangeResult> => {
    const [before] = await tx.select().from(accounts).where(eq(accounts.email, key)).for('update');
    if (!before) return { kind: 'not_found' };
    const decision = decide(before);
    if (!decision) return { kind: 'unchanged', row: before };
    const [after] = await tx
      .update(accounts)
      .set({ ...decision.set, updatedAt: sql`now()` })
      .where(eq(accounts.email, key))
      .returning();
    await recordAccountEvent(tx, {
      ...decision.event,
      email: key,
      fromState: before.state,
      toState: after!.state,
    });
    return { kind: 'changed', before, after: after! };
  });
}

/** Deletes the account and writes its `removed` event; false when it did not exist (or, with `onlyDraining`, was not draining). */
export async function deleteAccount(db: Db, email: string, reason: string, opts: { onlyDraining?: boolean } = {}): Promise<boolean> {
  const key = email.toLowerCase();
  return inTransaction(db, async (tx) => {
    const [row] = await tx
      .delete(accounts)
      .where(and(eq(accounts.email, key), opts.onlyDraining ? eq(accounts.draining, true) : undefined))
      .returning({ state: accounts.state });
    if (row) await recordAccountEvent(tx, { email: key, kind: 'removed', fromState: row.state, reason });
    return Boolean(row);
  });
}

/** Jobs Postgres says are on the account right now (submitting or running upstream). */
export async function countActiveJobsOn(db: DbOrTx, email: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(jobs)
    .where(and(inArray(jobs.status, ['submitting', 'running']), eq(jobs.account, email.toLowerCase())));
  return row?.n ?? 0;
}

/**
 * Deletes each draining account once `isIdle` says it runs nothing any more; returns the
 * emails removed. The worker's periodic task calls it. An account that stopped draining
 * between the check and the delete is kept.
 */
export async function removeDrainedAccounts(db: Db, isIdle: (email: string) => Promise<boolean>): Promise<string[]> {
  const draining = await db.select({ email: accounts.email }).from(accounts).where(eq(accounts.draining, true));
  const removed: string[] = [];
  for (const { email } of draining) {
    if (!(await isIdle(email))) continue;
    if (await deleteAccount(db, email, 'drained: its last job ended', { onlyDraining: true })) removed.push(email);
  }
  return removed;
}
