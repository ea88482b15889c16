import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { type ImageRow, imageUploads, images } from '../schema';

/**
 * Records an image, or answers the one the owner already has with the same bytes: the unique
 * (owner, sha256) key makes two uploads of one file, even at the same moment, one row.
 */
export async function recordImage(db: Db, image: Omit<ImageRow, 'createdAt'>): Promise<ImageRow> {
  const [inserted] = await db.insert(images).values(image).onConflictDoNothing().returning();
  if (inserted) return inserted;
  const [existing] = await db
    .select()
    .from(images)
    .where(and(eq(images.ownerKey, image.ownerKey), eq(images.sha256, image.sha256)))
    .limit(1);
  if (!existing) throw new Error(`image ${image.sha256} of ${image.ownerKey} neither inserted nor found`);
  return existing;
}

export async function findImage(db: Db, id: string): Promise<ImageRow | undefined> {
  const [row] = await db.select().from(images).where(eq(images.id, id)).limit(1);
  return row;
}

export async function findImageBySha(db: Db, ownerKey: string, sha256: string): Promise<ImageRow | undefined> {
  const [row] = await db
    .select()
    .from(images)
    .where(and(eq(images.ownerKey, ownerKey), eq(images.sha256, sha256)))
    .limit(1);
  return row;
}

export async function findImages(db: Db, ids: readonly string[]): Promise<ImageRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(images)
    .where(inArray(images.id, [...ids]));
}

/** What `account` holds of `imageId`: its mediaGenerationId, an upload under way by another worker, or nothing. */
export type ImageOnAccount = { kind: 'held'; mediaGenerationId: string } | { kind: 'claimed' } | { kind: 'yours' };

/**
 * Claims the upload of `imageId` to `account` for the caller, unless the account already holds
 * it (`held`) or another worker claimed it less than `staleMs` ago (`claimed`: wait for it). A
 * claim older than that was left by a worker that died mid-upload and is taken over. One
 * statement, so two workers never both get `yours` for a live claim.
 */
export async function claimImageUpload(db: Db, imageId: string, account: string, now: Date, staleMs: number): Promise<ImageOnAccount> {
  const email = account.toLowerCase();
  const [claimed] = await db
    .insert(imageUploads)
    .values({ imageId, account: email, claimedAt: now })
    .onConflictDoUpdate({
      target: [imageUploads.imageId, imageUploads.account],
      set: { claimedAt: now },
      setWhere: sql`${imageUploads.mediaGenerationId} is null and ${imageUploads.claimedAt} < ${new Date(now.getTime() - staleMs)}`,
    })
    .returning({ id: imageUploads.imageId });
  if (claimed) return { kind: 'yours' };
  const [row] = await db
    .select({ id: imageUploads.mediaGenerationId })
    .from(imageUploads)
    .where(and(eq(imageUploads.imageId, imageId), eq(imageUploads.account, email)))
    .limit(1);
  if (row?.id) return { kind: 'held', mediaGenerationId: row.id };
  return { kind: 'claimed' };
}

/**
 * Records the id the caller's upload got and answers the id to use: when a worker that took
 * over a stale claim recorded one first, that one (both are valid upstream; one is kept).
 */
export async function recordImageUpload(db: Db, imageId: string, account: string, mediaGenerationId: string): Promise<string> {
  const email = account.toLowerCase();
  const where = and(eq(imageUploads.imageId, imageId), eq(imageUploads.account, email));
  const [set] = await db
    .update(imageUploads)
    .set({ mediaGenerationId })
    .where(and(where, isNull(imageUploads.mediaGenerationId)))
    .returning({ id: imageUploads.mediaGenerationId });
  if (set?.id) return set.id;
  const [kept] = await db.select({ id: imageUploads.mediaGenerationId }).from(imageUploads).where(where).limit(1);
  if (kept?.id) return kept.id;
  // The claim was dropped meanwhile: record this id.
  await db.insert(imageUploads).values({ imageId, account: email, mediaGenerationId }).onConflictDoNothing();
  return recordImageUpload(db, imageId, account, mediaGenerationId);
}

/** Gives up the caller's claim after a failed upload, so the next try claims it at once. */
export async function dropImageUploadClaim(db: Db, imageId: string, account: string): Promise<void> {
  await db
    .delete(imageUploads)
    .where(and(eq(imageUploads.imageId, imageId), eq(imageUploads.account, account.toLowerCase()), isNull(imageUploads.mediaGenerationId)));
}

/** The accounts `imageId` was uploaded to (or is being uploaded to: a null id). */
export async function listImageUploads(db: Db, imageId: string): Promise<{ account: string; mediaGenerationId: string | null }[]> {
  return db
    .select({ account: imageUploads.account, mediaGenerationId: imageUploads.mediaGenerationId })
    .from(imageUploads)
    .where(eq(imageUploads.imageId, imageId));
}
