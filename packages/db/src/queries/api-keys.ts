import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../client';
import { apiKeys, type ApiKeyRow } from '../schema';

export async function insertApiKey(db: Db, key: { id: string; name: string; hash: string; admin: boolean; signingSecret?: string | null }): Promise<ApiKeyRow> {
  const [row] = await db.insert(apiKeys).values(key).returning();
  return row!;
}

/** The live (not revoked) key with this hash. */
export async function findActiveApiKeyByHash(db: Db, hash: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row;
}

export async function findApiKey(db: Db, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  return row;
}

/** Every key, revoked ones included, newest first. */
export function listApiKeys(db: Db): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/** Revokes a live key; undefined when there is no such key or it was already revoked. */
export async function revokeApiKey(db: Db, id: string, at = new Date()): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: at })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning();
  return row;
}

export async function touchApiKey(db: Db, id: string, at = new Date()): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id));
}

/** Replaces a key's sealed callback signing secret (at creation, and on rotation). */
export async function setApiKeySigningSecret(db: Db, id: string, sealed: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.update(apiKeys).set({ signingSecret: sealed }).where(eq(apiKeys.id, id)).returning();
  return row;
}
