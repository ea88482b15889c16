import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../client';
import { idempotencyKeys } from '../schema';

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

/**
 * Claims `key` for `ownerKey`: answers the new row, or undefined when another request holds
 * it. A row older than `staleBefore` (expired, or an answer never stored because its
 * process died) is taken over in the same statement.
 */
export async function claimIdempotencyKey(
  db: Db,
  claim: { ownerKey: string; key: string; requestHash: string; expiredBefore: Date; abandonedBefore: Date },
): Promise<IdempotencyRow | undefined> {
  const now = new Date();
  const [row] = await db
    .insert(idempotencyKeys)
    .values({ ownerKey: claim.ownerKey, key: claim.key, requestHash: claim.requestHash, createdAt: now })
    .onConflictDoUpdate({
      target: [idempotencyKeys.ownerKey, idempotencyKeys.key],
      set: { requestHash: claim.requestHash, responseStatus: null, responseBody: null, createdAt: now },
      setWhere: or(
        lt(idempotencyKeys.createdAt, claim.expiredBefore),
        and(isNull(idempotencyKeys.responseStatus), lt(idempotencyKeys.createdAt, claim.abandonedBefore)),
      ),
    })
    .returning();
  return row;
}

export async function findIdempotencyKey(db: Db, ownerKey: string, key: string): Promise<IdempotencyRow | undefined> {
  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.ownerKey, ownerKey), eq(idempotencyKeys.key, key)))
    .limit(1);
  return row;
}

export async function completeIdempotencyKey(
  db: Db,
  done: { ownerKey: string; key: string; requestHash: string; responseStatus: number; responseBody: unknown },
): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({ requestHash: done.requestHash, responseStatus: done.responseStatus, responseBody: done.responseBody })
    .where(and(eq(idempotencyKeys.ownerKey, done.ownerKey), eq(idempotencyKeys.key, done.key)));
}

/** Lets the key go after a request that failed, so the client can try again with it. */
export async function releaseIdempotencyKey(db: Db, ownerKey: string, key: string): Promise<void> {
  await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.ownerKey, ownerKey), eq(idempotencyKeys.key, key), isNull(idempotencyKeys.responseStatus)));
}

export async function deleteExpiredIdempotencyKeys(db: Db, before: Date): Promise<number> {
  const rows = await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, before)).returning({ key: idempotencyKeys.key });
  return rows.length;
}
