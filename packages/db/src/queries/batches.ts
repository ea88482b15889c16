import { inTransaction } from '../transaction';
import { and, asc, desc, eq, gt, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { JobStatus } from '@flowq/core';
import type { Db } from '../client';
import { batches, jobs, type BatchRow, type JobRow } from '../schema';

export async function findBatch(db: Db, id: string): Promise<BatchRow | undefined> {
  const [row] = await db.select().from(batches).where(eq(batches.id, id)).limit(1);
  return row;
}

/** Newest first, keyset-paginated on the time-ordered id. */
export async function listBatches(
  db: Db,
  opts: { limit: number; cursor?: string; ownerKey?: string },
): Promise<{ items: BatchRow[]; nextCursor: string | null }> {
  const rows = await db
    .select()
    .from(batches)
    .where(and(opts.cursor ? lt(batches.id, opts.cursor) : undefined, opts.ownerKey !== undefined ? eq(batches.ownerKey, opts.ownerKey) : undefined))
    .orderBy(desc(batches.id))
    .limit(opts.limit + 1);
  const items = rows.slice(0, opts.limit);
  return { items, nextCursor: rows.length > opts.limit ? items[items.length - 1]!.id : null };
}

/** Jobs of a batch grouped by status and by what they cost, with the times progress is measured from. */
export interface BatchJobGroup {
  batchId: string;
  status: JobStatus;
  model: string;
  count: number;
  /** The request's duration and resolution; null when it left them to useapi's defaults. */
  duration: number | null;
  resolution: string | null;
  jobs: number;
  /** Credits the group's succeeded jobs cost (their accounts' tiers); 0 for other statuses. */
  credits: number;
  firstStartedAt: Date | null;
  lastCompletedAt: Date | null;
  /** Jobs of the group that ended within `recentMs` of now. */
  recentlyCompleted: number;
}

export async function batchJobGroups(db: Db, batchIds: readonly string[], recentMs = 60_000): Promise<BatchJobGroup[]> {
  if (batchIds.length === 0) return [];
  const since = new Date(Date.now() - recentMs);
  const rows = await db
    .select({
      batchId: sql<string>`${jobs.batchId}`,
      status: jobs.status,
      model: sql<string>`${jobs.request}->>'model'`,
      count: sql<number>`coalesce((${jobs.request}->>'count')::int, 1)`,
      duration: sql<number | null>`(${jobs.request}->>'duration')::int`,
      resolution: sql<string | null>`${jobs.request}->>'resolution'`,
      jobs: sql<number>`count(*)::int`,
      credits: sql<number>`coalesce(sum(${jobs.credits}), 0)::int`,
      firstStartedAt: sql<string | null>`min(${jobs.startedAt})`,
      lastCompletedAt: sql<string | null>`max(${jobs.completedAt})`,
      recentlyCompleted: sql<number>`(count(*) filter (where ${jobs.completedAt} >= ${since.toISOString()}))::int`,
    })
    .from(jobs)
    .where(inArray(jobs.batchId, [...batchIds]))
    .groupBy(sql`1, 2, 3, 4, 5, 6`);
  return rows.map((r) => ({
    ...r,
    firstStartedAt: r.firstStartedAt ? new Date(r.firstStartedAt) : null,
    lastCompletedAt: r.lastCompletedAt ? new Date(r.lastCompletedAt) : null,
  }));
}

/** A page of a batch's jobs in input order (keyset on the row number). */
export async function listBatchJobs(
  db: Db,
  opts: { batchId: string; status?: JobStatus; limit: number; afterRow?: number },
): Promise<{ items: JobRow[]; nextCursor: number | null }> {
  const where: SQL[] = [eq(jobs.batchId, opts.batchId)];
  if (opts.status) where.push(eq(jobs.status, opts.status));
  if (opts.afterRow !== undefined) where.push(gt(jobs.batchRow, opts.afterRow));
  const rows = await db
    .select()
    .from(jobs)
    .where(and(...where))
    .orderBy(asc(jobs.batchRow))
    .limit(opts.limit + 1);
  const items = rows.slice(0, opts.limit);
  return { items, nextCursor: rows.length > opts.limit ? items[items.length - 1]!.batchRow : null };
}

/** What enqueueing a batch needs, a page at a time in row order, so a large batch is never held in memory. */
export function batchJobsToEnqueue(
  db: Db,
  batchId: string,
  afterRow: number,
  limit: number,
  status: JobStatus = 'queued',
): Promise<{ id: string; priority: number; batchRow: number | null }[]> {
  return db
    .select({ id: jobs.id, priority: jobs.priority, batchRow: jobs.batchRow })
    .from(jobs)
    .where(and(eq(jobs.batchId, batchId), eq(jobs.status, status), gt(jobs.batchRow, afterRow)))
    .orderBy(asc(jobs.batchRow))
    .limit(limit);
}

/** The most clips any row of the batch asked for: how many video columns its export has. */
/**
 * What a batch's CSV export needs columns for: the most clips of a row (a video or extend's
 * `count`, an upscale's one clip), the most images of an image row, whether any row is not a
 * video, and whether any row chains follow-ups (`then`). A batch of plain videos has the columns
 * it always had.
 */
export async function batchExportShape(db: Db, batchId: string): Promise<{ videos: number; images: number; kinds: boolean; chains: boolean }> {
  const count = sql`coalesce((${jobs.request}->>'count')::int, 1)`;
  const [row] = await db
    .select({
      videos: sql<number | null>`max(case when ${jobs.kind} = 'image' then 0 when ${jobs.kind} = 'upscale' then 1 else ${count} end)::int`,
      images: sql<number | null>`max(case when ${jobs.kind} = 'image' then ${count} else 0 end)::int`,
      kinds: sql<boolean | null>`bool_or(${jobs.kind} <> 'video')`,
      chains: sql<boolean | null>`bool_or(jsonb_typeof(${jobs.request}->'then') = 'array' and jsonb_array_length(${jobs.request}->'then') > 0)`,
    })
    .from(jobs)
    .where(eq(jobs.batchId, batchId));
  return { videos: row?.videos ?? 1, images: row?.images ?? 0, kinds: row?.kinds ?? false, chains: row?.chains ?? false };
}

/** Cancels the batch's jobs that have not started (waiting or over budget), giving back what they reserved; submitted and running ones are left to finish. */
export async function cancelQueuedBatchJobs(db: Db, batchId: string): Promise<number> {
  const waiting = and(eq(jobs.batchId, batchId), inArray(jobs.status, ['queued', 'over_budget']));
  return inTransaction(db, async (tx) => {
    await tx
      .update(batches)
      .set({
        committedCredits: sql`greatest(0, ${batches.committedCredits} - (select coalesce(sum(${jobs.reservedCredits}), 0) from ${jobs} where ${waiting}))`,
      })
      .where(eq(batches.id, batchId));
    const rows = await tx
      .update(jobs)
      .set({ status: 'cancelled', reservedCredits: null, completedAt: new Date(), updatedAt: new Date() })
      .where(waiting)
      .returning({ id: jobs.id });
    return rows.length;
  });
}

/**
 * Puts the batch's jobs in `from` back to `queued` as fresh jobs: attempts, error, result and
 * upstream job cleared, a new deadline. Their attempt history stays. Compare-and-set on the
 * status, so a job that moved meanwhile is left alone.
 */
export async function requeueBatchJobs(
  db: Db,
  batchId: string,
  from: 'failed' | 'cancelled',
  deadlineAt: Date,
): Promise<{ id: string; priority: number; batchRow: number | null }[]> {
  return db
    .update(jobs)
    .set({
      status: 'queued',
      attempts: 0,
      error: null,
      result: null,
      upstreamJobId: null,
      account: null,
      startedAt: null,
      completedAt: null,
      deadlineAt,
      updatedAt: new Date(),
    })
    .where(and(eq(jobs.batchId, batchId), eq(jobs.status, from)))
    .returning({ id: jobs.id, priority: jobs.priority, batchRow: jobs.batchRow });
}

/** Compare-and-set of a batch's status. */
export async function updateBatch(
  db: Db,
  id: string,
  from: readonly BatchRow['status'][],
  set: Partial<Pick<BatchRow, 'status' | 'startedAt' | 'finishedAt'>>,
): Promise<BatchRow | undefined> {
  const [row] = await db
    .update(batches)
    .set({ ...set, updatedAt: new Date() })
    .where(and(eq(batches.id, id), inArray(batches.status, [...from])))
    .returning();
  return row;
}
