import { inTransaction } from '../transaction';
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { accounts, type AccountRow } from '../schema';
import { recordAccountEvent } from './account-events';

export interface AccountSeed {
  email: string;
  tier: 'ultra' | 'pro';
  maxConcurrent?: number;
  maxPerMinute?: number;
}

/** Add accounts that are missing, each with its `added` event; an existing account keeps its state and settings. */
export async function seedAccounts(db: Db, seeds: AccountSeed[]): Promise<string[]> {
  if (seeds.length === 0) return [];
  return inTransaction(db, async (tx) => {
    const added = await tx
      .insert(accounts)
      .values(
        seeds.map((s) => ({
          email: s.email.toLowerCase(),
          tier: s.tier,
          ...(s.maxConcurrent ? { maxConcurrent: s.maxConcurrent } : {}),
          ...(s.maxPerMinute ? { maxPerMinute: s.maxPerMinute } : {}),
        })),
      )
      .onConflictDoNothing()
      .returning({ email: accounts.email, state: accounts.state });
    for (const a of added) await recordAccountEvent(tx, { email: a.email, kind: 'added', toState: a.state, reason: 'seeded from FLOWQ_ACCOUNTS' });
    return added.map((a) => a.email);
  });
}

export function listAccounts(db: Db): Promise<AccountRow[]> {
  return db.select().from(accounts).orderBy(asc(accounts.email));
}

export async function findAccount(db: Db, email: string): Promise<AccountRow | undefined> {
  const [row] = await db.select().from(accounts).where(eq(accounts.email, email.toLowerCase()));
  return row;
}

export async function updateAccount(
  db: Db,
  email: string,
  set: Partial<Pick<AccountRow, 'state' | 'stateReason' | 'coolingUntil' | 'remainingCredits' | 'enabled' | 'tier' | 'maxConcurrent' | 'maxPerMinute'>>,
): Promise<AccountRow | undefined> {
  const [row] = await db
    .update(accounts)
    .set({ ...set, updatedAt: sql`now()` })
    .where(eq(accounts.email, email.toLowerCase()))
    .returning();
  return row;
}
