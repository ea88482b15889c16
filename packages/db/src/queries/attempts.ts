import { asc, eq } from 'drizzle-orm';
import { newId } from '@flowq/core';
import type { Db } from '../client';
import { jobAttempts, type AttemptRow } from '../schema';

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

export function attemptValues(a: AttemptRecord): typeof jobAttempts.$inferInsert {
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

export function listAttempts(db: Db, jobId: string): Promise<AttemptRow[]> {
  return db.select().from(jobAttempts).where(eq(jobAttempts.jobId, jobId)).orderBy(asc(jobAttempts.startedAt), asc(jobAttempts.id));
}
