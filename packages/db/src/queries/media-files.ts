import { inTransaction } from '../transaction';
import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import { archivedResult, expiredResult, type JobResult, type MediaFileKind, mediaStorageKey } from '@flowq/core';
import type { Db } from '../client';
import { jobs, type JobRow, type MediaFileRow, mediaFiles } from '../schema';
import { announceEnd, insertFollowUps } from './job-transitions';

export async function findMediaFile(db: Db, jobId: string, clip: number, kind: MediaFileKind): Promise<MediaFileRow | undefined> {
  const [row] = await db
    .select()
    .from(mediaFiles)
    .where(and(eq(mediaFiles.jobId, jobId), eq(mediaFiles.clipIndex, clip), eq(mediaFiles.kind, kind)))
    .limit(1);
  return row;
}

export function listMediaFiles(db: Db, jobId: string): Promise<MediaFileRow[]> {
  return db.select().from(mediaFiles).where(eq(mediaFiles.jobId, jobId)).orderBy(asc(mediaFiles.clipIndex), asc(mediaFiles.kind));
}

/**
 * A `running` job whose generation completed moves to `archiving` with useapi's links as its
 * result, and gets one `pending` row per file to copy (every succeeded clip's video, and its
 * thumbnail when there is one; every image of an image job), in one transaction: a crash leaves both or neither.
 */
export async function beginArchiving(
  db: Db,
  jobId: string,
  result: JobResult,
  upstreamExpiresAt: Date,
  credits: number | null = null,
): Promise<JobRow | undefined> {
  return inTransaction(db, async (tx) => {
    // The generation is paid here, once; the end (and its client callback) waits for finishArchiving.
    const [row] = await tx
      .update(jobs)
      .set({ status: 'archiving', result, credits, error: null, updatedAt: new Date() })
      .where(and(eq(jobs.id, jobId), inArray(jobs.status, ['submitting', 'running'])))
      .returning();
    if (!row) return undefined;
    const files = [
      ...result.videos.flatMap((v, clip) => {
        if (v.status !== 'succeeded') return [];
        const out: { clip: number; kind: MediaFileKind; url: string }[] = [{ clip, kind: 'video', url: v.url }];
        if (v.thumbnailUrl) out.push({ clip, kind: 'thumbnail' as const, url: v.thumbnailUrl });
        return out;
      }),
      ...(result.images ?? []).map((i, index) => ({ clip: index, kind: 'image' as MediaFileKind, url: i.upstreamUrl ?? i.url })),
    ];
    if (files.length > 0) {
      await tx
        .insert(mediaFiles)
        .values(
          files.map((f) => ({
            id: `med_${jobId}_${f.clip}_${f.kind}`,
            jobId,
            ownerKey: row.ownerKey,
            clipIndex: f.clip,
            kind: f.kind as MediaFileKind,
            storageKey: mediaStorageKey(jobId, f.clip, f.kind),
            upstreamUrl: f.url,
            upstreamExpiresAt,
          })),
        )
        .onConflictDoNothing();
    }
    return row;
  });
}

/** The files of a job still to copy. */
export function pendingMediaFiles(db: Db, jobId: string): Promise<MediaFileRow[]> {
  return db
    .select()
    .from(mediaFiles)
    .where(and(eq(mediaFiles.jobId, jobId), eq(mediaFiles.status, 'pending')))
    .orderBy(asc(mediaFiles.clipIndex), asc(mediaFiles.kind));
}

/** Jobs in `archiving`, a page at a time by id: the reconciler checks each has a live archive job. */
export async function archivingJobsPage(db: Db, afterId: string, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.status, 'archiving'), sql`${jobs.id} > ${afterId}`))
    .orderBy(jobs.id)
    .limit(limit);
  return rows.map((r) => r.id);
}

export async function markMediaArchived(db: Db, id: string, stored: { bytes: number; sha256: string; contentType: string }): Promise<void> {
  await db
    .update(mediaFiles)
    .set({ status: 'archived', ...stored, error: null, archivedAt: new Date(), attempts: sql`${mediaFiles.attempts} + 1` })
    .where(and(eq(mediaFiles.id, id), eq(mediaFiles.status, 'pending')));
}

/** A try that did not work: `final` gives the file up (the job ends without it), else it stays pending for the next try. */
export async function markMediaAttemptFailed(db: Db, id: string, error: string, final: boolean): Promise<void> {
  await db
    .update(mediaFiles)
    .set({ error: error.slice(0, 500), attempts: sql`${mediaFiles.attempts} + 1`, ...(final ? { status: 'failed' as const } : {}) })
    .where(and(eq(mediaFiles.id, id), eq(mediaFiles.status, 'pending')));
}

/** Fresh links read from the upstream job again, for files not yet copied. */
export async function refreshUpstreamUrls(db: Db, jobId: string, links: { clip: number; kind: MediaFileKind; url: string }[], expiresAt: Date): Promise<void> {
  for (const l of links) {
    await db
      .update(mediaFiles)
      .set({ upstreamUrl: l.url, upstreamExpiresAt: expiresAt })
      .where(and(eq(mediaFiles.jobId, jobId), eq(mediaFiles.clipIndex, l.clip), eq(mediaFiles.kind, l.kind), eq(mediaFiles.status, 'pending')));
  }
}

/** Every file archived or given up: the job succeeds, its result pointing at what was kept. */
export async function finishArchiving(db: Db, jobId: string): Promise<JobRow | undefined> {
  return inTransaction(db, async (tx) => {
    const [job] = await tx.select().from(jobs).where(eq(jobs.id, jobId)).for('update');
    if (job?.status !== 'archiving' || !job.result) return undefined;
    const files = await tx.select().from(mediaFiles).where(eq(mediaFiles.jobId, jobId));
    if (files.some((f) => f.status === 'pending')) return undefined;
    const [row] = await tx
      .update(jobs)
      .set({ status: 'succeeded', result: archivedResult(jobId, job.result, files), completedAt: new Date(), updatedAt: new Date() })
      .where(and(eq(jobs.id, jobId), eq(jobs.status, 'archiving')))
      .returning();
    if (row) {
      await announceEnd(tx, row);
      // A chain's follow-ups come with the success, as for a job that is not archived.
      await insertFollowUps(tx, row);
    }
    return row;
  });
}

/**
 * Retention: archived files older than `before`, a page at a time, oldest first. The caller
 * deletes each from the store, then `markMediaExpired`.
 */
export function archivedBefore(db: Db, before: Date, limit: number): Promise<MediaFileRow[]> {
  return db
    .select()
    .from(mediaFiles)
    .where(and(eq(mediaFiles.status, 'archived'), lt(mediaFiles.archivedAt, before)))
    .orderBy(asc(mediaFiles.archivedAt))
    .limit(limit);
}

/** The files are gone from the store: their rows and their jobs' results say `expired`. */
export async function markMediaExpired(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await inTransaction(db, async (tx) => {
    const rows = await tx.update(mediaFiles).set({ status: 'expired' }).where(inArray(mediaFiles.id, ids)).returning({ jobId: mediaFiles.jobId });
    const jobIds = [...new Set(rows.map((r) => r.jobId))];
    for (const id of jobIds) {
      const [job] = await tx.select({ result: jobs.result }).from(jobs).where(eq(jobs.id, id)).for('update');
      if (job?.result)
        await tx
          .update(jobs)
          .set({ result: expiredResult(job.result), updatedAt: new Date() })
          .where(eq(jobs.id, id));
    }
  });
}
