import { newId, newSecret, type VideoRequest } from '@flowq/core';
import type { Db } from '../client';
import { jobs, type JobRow } from '../schema';

export interface NewJob {
  request: VideoRequest;
  priority?: number;
  metadata?: unknown;
  batchId?: string | null;
  ownerKey?: string | null;
  deadlineMs: number;
  now?: Date;
}

export async function insertJob(db: Db, job: NewJob): Promise<JobRow> {
  const now = job.now ?? new Date();
  const [row] = await db
    .insert(jobs)
    .values({
      id: newId('job', now.getTime()),
      request: job.request,
      priority: job.priority ?? 0,
      metadata: job.metadata ?? null,
      batchId: job.batchId ?? null,
      ownerKey: job.ownerKey ?? null,
      callbackSecret: newSecret(),
      createdAt: now,
      updatedAt: now,
      deadlineAt: new Date(now.getTime() + job.deadlineMs),
    })
    .returning();
  return row!;
}
