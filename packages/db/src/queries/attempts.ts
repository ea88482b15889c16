import { and, asc, eq, inArray } from 'drizzle-orm';
import { newId, type JobResult } from '@flowq/core';
import type { Db } from '../client';
import { jobAttempts, jobs, type AttemptRow, type JobRow } from '../schema';

export interface AttemptRecord {
  jobId: string;
  kind: 'submit' | 'poll' | 'callback';
  account?: string | null;
  statusCode?: number | null;
  outcome?: string | null;
  reason?: string | null;
  upstreamJobId?: string | null;
  startedAt: Date;
  finishedAt?: Date;
  detail?: unknown;
}

function attemptValues(a: AttemptRecord): typeof jobAttempts.$inferInsert {
  const finishedAt = a.finishedAt ?? new Date();
  return {
    id: newId('att', a.startedAt.getTime()),
    jobId: a.jobId,
    kind: a.kind,
    account: a.account ?? null,
    statusCode: a.statusCode ?? null,
    outcome: a.outcome ?? null,
    reason: a.reason ?? null,
    upstreamJobId: a.upstreamJobId ?? null,
    startedAt: a.startedAt,
    finishedAt,
    durationMs: finishedAt.getTime() - a.startedAt.getTime(),
    detail: a.detail ?? null,
  };
}

export async function recordAttempt(db: Db, a: AttemptRecord): Promise<string> {
  const values = attemptValues(a);
  await db.insert(jobAttempts).values(values);
  return values.id;
}

/**
 * The poll that found the generation done is recorded and the job marked succeeded, in one
 * statement. The job row comes back only when it was still running (a compare-and-set like
 * every transition); the poll is recorded either way.
 */
/** `credits`: what the generation cost at the tier of the account that made it. */
export async function recordPollAndSucceed(db: Db, poll: AttemptRecord, result: JobResult, credits: number | null = null): Promise<JobRow | undefined> {
  const polled = db.$with('polled').as(db.insert(jobAttempts).values(attemptValues(poll)).returning({ id: jobAttempts.id }));
  const [row] = await db
    .with(polled)
    .update(jobs)
    .set({ status: 'succeeded', result, credits, error: null, completedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(jobs.id, poll.jobId), inArray(jobs.status, ['submitting', 'running'])))
    .returning();
  return row;
}

export function listAttempts(db: Db, jobId: string): Promise<AttemptRow[]> {
  return db.select().from(jobAttempts).where(eq(jobAttempts.jobId, jobId)).orderBy(asc(jobAttempts.startedAt), asc(jobAttempts.id));
}
