import { pgClientOf } from '../named-statement';
import { inTransaction } from '../transaction';
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import {
  CANCELLABLE_STATUSES,
  followUpsOf,
  jobCallbackEvent,
  newId,
  newSecret,
  type FollowUpSpec,
  type JobError,
  type JobResult,
  type JobStatus,
} from '@flowq/core';
import type { Db } from '../client';
import { callbackDeliveries, jobAttempts, jobs, type JobRow } from '../schema';
import { attemptValues, type AttemptRecord } from './attempts';
import { jobRowOf } from './insert-job';
import { releaseCredits } from './credit-budgets';

/**
 * Every state change is a compare-and-set on the current status, so a duplicated
 * callback, a late poll and a cancel racing each other cannot undo one another:
 * whichever lands second finds the status moved and changes nothing (returns undefined).
 */
async function transition(
  db: Db,
  id: string,
  from: readonly JobStatus[],
  set: { [K in keyof typeof jobs.$inferInsert]?: (typeof jobs.$inferInsert)[K] | SQL },
): Promise<JobRow | undefined> {
  const [row] = await db
    .update(jobs)
    .set({ ...set, updatedAt: new Date() })
    .where(and(eq(jobs.id, id), inArray(jobs.status, from)))
    .returning();
  return row;
}

export function markSubmitting(db: Db, id: string, account: string) {
  return transition(db, id, ['queued', 'submitting'], {
    status: 'submitting',
    account,
    submissions: sql`${jobs.submissions} + 1`,
  });
}

export function markRunning(db: Db, id: string, account: string, upstreamJobId: string) {
  return transition(db, id, ['submitting'], { status: 'running', account, upstreamJobId, startedAt: new Date() });
}

/** Back to the queue after a capacity wait or a retryable error; `countAttempt` burns one real attempt. */
export function markRequeued(db: Db, id: string, countAttempt: boolean) {
  return transition(db, id, ['submitting', 'running'], {
    status: 'queued',
    upstreamJobId: null,
    ...(countAttempt ? { attempts: sql`${jobs.attempts} + 1` } : {}),
  });
}

/**
 * A job's end, and the client callback that announces it, in one transaction: the outbox
 * row exists exactly when the end does, whatever crashes right after.
 */
async function end(db: Db, id: string, from: readonly JobStatus[], set: Parameters<typeof transition>[3]): Promise<JobRow | undefined> {
  return inTransaction(db, async (tx) => {
    const row = await transition(tx, id, from, set);
    if (!row) return row;
    await announceEnd(tx, row);
    // A chain's follow-ups are created with the success that makes them possible, or not at all.
    if (row.status === 'succeeded') await insertFollowUps(tx, row);
    if (row.status !== 'succeeded' && row.reservedCredits) {
      await releaseCredits(tx, row, row.reservedCredits);
      return { ...row, reservedCredits: null };
    }
    return row;
  });
}

/** The outbox row of a job that just ended, when it asked for a callback; call it inside the ending transaction. */
export async function announceEnd(tx: Db, row: JobRow): Promise<void> {
  const event = jobCallbackEvent(row.status);
  if (!row.callbackUrl || !event) return;
  const now = row.completedAt ?? new Date();
  await tx.insert(callbackDeliveries).values({
    id: newId('dlv', now.getTime()),
    event,
    jobId: row.id,
    ownerKey: row.ownerKey,
    url: row.callbackUrl,
    nextAttemptAt: now,
    createdAt: now,
  });
}

/** `credits`: what the generation cost at the tier of the account that made it. */
export function markSucceeded(db: Db, id: string, result: JobResult, credits: number | null = null) {
  return end(db, id, ['submitting', 'running'], { status: 'succeeded', result, credits, error: null, completedAt: new Date() });
}

/**
 * The confirming poll's attempt and the job's success, with its outbox row when the job asked
 * for a callback: one statement (each part a CTE, all or nothing like a transaction) instead of
 * an insert and a four-statement transaction; a named statement of fixed text. A job whose chain (`request.then`) creates
 * follow-ups is computed from the result in JavaScript, so it takes the transaction instead.
 */
export async function markSucceededAfterPoll(
  db: Db,
  job: Pick<JobRow, 'id' | 'request'>,
  poll: AttemptRecord,
  result: JobResult,
  credits: number | null = null,
): Promise<JobRow | undefined> {
  if ((job.request as { then?: unknown[] }).then?.length) {
    await db.insert(jobAttempts).values(attemptValues(poll));
    return markSucceeded(db, job.id, result, credits);
  }
  const now = new Date().toISOString();
  const a = attemptValues(poll);
  const client = pgClientOf(db);
  const { rows } = await client.query({
    name: 'flowq_succeeded_after_poll',
    text: SUCCEEDED_AFTER_POLL_SQL,
    values: [
      job.id,
      JSON.stringify(result),
      credits,
      now,
      a.id,
      a.kind,
      a.account,
      a.statusCode,
      a.outcome,
      a.reason,
      a.upstreamJobId,
      (a.startedAt as Date).toISOString(),
      (a.finishedAt as Date).toISOString(),
      a.durationMs,
      a.detail === null || a.detail === undefined ? null : JSON.stringify(a.detail),
      newId('dlv', Date.parse(now)),
    ],
  });
  const [raw] = rows as Record<string, unknown>[];
  return raw ? jobRowOf(raw) : undefined;
}

// $1 job id, $2 result, $3 credits, $4 now, $5-$15 the poll attempt, $16 the delivery id.
// A named statement of fixed text: parsed and planned once per connection, and no query built per call.
const SUCCEEDED_AFTER_POLL_SQL = `with ended as (
  update jobs set status = 'succeeded', result = $2::jsonb, credits = $3::integer, error = null, completed_at = $4::timestamptz, updated_at = $4::timestamptz
  where id = $1 and status in ('submitting', 'running')
  returning *),
attempt as (
  insert into job_attempts (id, job_id, kind, account, status_code, outcome, reason, upstream_job_id, started_at, finished_at, duration_ms, detail)
  values ($5, $1, $6, $7, $8::integer, $9, $10, $11, $12::timestamptz, $13::timestamptz, $14::integer, $15::jsonb)
  returning id),
announced as (
  insert into callback_deliveries (id, event, job_id, batch_id, owner_key, url, status, attempts, next_attempt_at, body, last_status_code, last_error, created_at, delivered_at)
  select $16, 'job.succeeded', ended.id, null, ended.owner_key, ended.callback_url, 'pending', 0, $4::timestamptz, null, null, null, $4::timestamptz, null
  from ended where ended.callback_url is not null
  returning id)
select * from ended`;

export function markFailed(db: Db, id: string, error: JobError, from: readonly JobStatus[] = ['queued', 'submitting', 'running']) {
  return end(db, id, from, { status: 'failed', error, completedAt: new Date() });
}

export function markCancelled(db: Db, id: string) {
  return end(db, id, [...CANCELLABLE_STATUSES], { status: 'cancelled', completedAt: new Date() });
}

/** The jobs of a succeeded job's chain (`followUpsOf`): queued, same owner and priority, linked to it. Call it inside the transaction that makes the job succeed. */
export async function insertFollowUps(tx: Db, parent: JobRow): Promise<void> {
  const followUps = followUpsOf({ id: parent.id, request: parent.request as { then?: FollowUpSpec[] }, result: parent.result });
  if (followUps.length === 0) return;
  const now = new Date();
  const deadlineAt = new Date(now.getTime() + (parent.deadlineAt.getTime() - parent.createdAt.getTime()));
  await tx.insert(jobs).values(
    followUps.map((f) => ({
      id: newId('job', now.getTime()),
      kind: f.kind,
      request: f.request as unknown as JobRow['request'],
      priority: parent.priority,
      ownerKey: parent.ownerKey,
      callbackSecret: newSecret(),
      parentJobId: parent.id,
      createdAt: now,
      updatedAt: now,
      deadlineAt,
    })),
  );
}

/** The ids of the jobs each of `parentJobIds` chained, oldest first (a batch export's page at a time). */
export async function followUpIdsByParent(db: Db, parentJobIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (parentJobIds.length === 0) return out;
  const rows = await db
    .select({ id: jobs.id, parent: jobs.parentJobId })
    .from(jobs)
    .where(inArray(jobs.parentJobId, [...parentJobIds]))
    .orderBy(jobs.id);
  for (const r of rows) if (r.parent) out.set(r.parent, [...(out.get(r.parent) ?? []), r.id]);
  return out;
}

/** The ids of the jobs a job's chain created, oldest first. */
export async function followUpIdsOf(db: Db, parentJobId: string): Promise<string[]> {
  const rows = await db.select({ id: jobs.id }).from(jobs).where(eq(jobs.parentJobId, parentJobId)).orderBy(jobs.id);
  return rows.map((r) => r.id);
}
