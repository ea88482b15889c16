import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { JobStatus } from '@flowq/core';
import type { Db } from '../client';
import { jobs, type JobRow } from '../schema';

export interface JobPage {
  items: JobRow[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** Newest first, keyset-paginated on the time-ordered id (stable under concurrent inserts). */
export async function listJobs(db: Db, opts: { status?: JobStatus; limit: number; cursor?: string; batchId?: string; ownerKey?: string }): Promise<JobPage> {
  const where: SQL[] = [];
  if (opts.status) where.push(eq(jobs.status, opts.status));
  if (opts.cursor) where.push(lt(jobs.id, opts.cursor));
  if (opts.batchId) where.push(eq(jobs.batchId, opts.batchId));
  if (opts.ownerKey) where.push(eq(jobs.ownerKey, opts.ownerKey));
  const rows = await db
    .select()
    .from(jobs)
    .where(and(...where))
    .orderBy(desc(jobs.id))
    .limit(opts.limit + 1);
  const items = rows.slice(0, opts.limit);
  return { items, nextCursor: rows.length > opts.limit ? items[items.length - 1]!.id : null };
}
