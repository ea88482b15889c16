import { pgClientOf } from '../named-statement';
import { and, desc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { JobKind, JobStatus } from '@flowq/core';
import type { Db } from '../client';
import { jobAttempts, jobs, type AttemptRow, type JobRow } from '../schema';
import { jobRowOf } from './insert-job';

/** Outcome of a submit attempt recorded before its POST, until its answer is written. */
export const PENDING = 'pending';

/**
 * The job leaves `queued` for `submitting` and its submit attempt is recorded as `pending`, in
 * one transaction, before any POST: whoever finds the job in `submitting` later finds the
 * attempt too, and its id is the `replyRef` useapi echoes in callbacks and job listings.
 */
export async function beginSubmission(db: Db, s: { jobId: string; account: string; attemptId: string; startedAt: Date }): Promise<JobRow | undefined> {
  // One statement, atomic like a transaction but one round trip instead of four: the attempt is
  // inserted only from the row the update actually moved (none when the job was not `queued`).
  // A named statement of fixed text: parsed and planned once per connection, no query built per call.
  const client = pgClientOf(db);
  const { rows } = await client.query({
    name: 'flowq_begin_submission',
    text: BEGIN_SUBMISSION_SQL,
    values: [s.jobId, s.account, new Date().toISOString(), s.attemptId, PENDING, s.startedAt.toISOString()],
  });
  const [raw] = rows as Record<string, unknown>[];
  return raw ? jobRowOf(raw) : undefined;
}

// $1 job id, $2 account, $3 now, $4 attempt id, $5 pending outcome, $6 the attempt's start.
const BEGIN_SUBMISSION_SQL = `with moved as (
  update jobs set status = 'submitting', account = $2, submissions = submissions + 1, updated_at = $3::timestamptz
  where id = $1 and status = 'queued'
  returning *),
attempt as (
  insert into job_attempts (id, job_id, kind, account, status_code, outcome, reason, upstream_job_id, started_at, finished_at, duration_ms, detail)
  select $4, moved.id, 'submit', $2, null, $5, null, null, $6::timestamptz, null, null, null from moved
  returning id)
select * from moved`;

export interface SubmissionAnswer {
  statusCode?: number | null;
  outcome: string;
  reason?: string | null;
  upstreamJobId?: string | null;
  detail?: unknown;
}

function settleQuery(db: Db, attemptId: string, a: SubmissionAnswer) {
  const finishedAt = new Date();
  return db
    .update(jobAttempts)
    .set({
      outcome: a.outcome,
      ...(a.statusCode !== undefined ? { statusCode: a.statusCode } : {}),
      ...(a.reason !== undefined ? { reason: a.reason } : {}),
      ...(a.upstreamJobId ? { upstreamJobId: a.upstreamJobId } : {}),
      ...(a.detail !== undefined ? { detail: a.detail } : {}),
      finishedAt,
      durationMs: sql`(extract(epoch from ${finishedAt}::timestamptz - ${jobAttempts.startedAt}) * 1000)::int`,
    })
    .where(eq(jobAttempts.id, attemptId));
}

/** Writes a submit attempt's answer (or how its ambiguity was resolved). */
export async function settleSubmission(db: Db, attemptId: string, a: SubmissionAnswer): Promise<void> {
  await settleQuery(db, attemptId, a);
}

/**
 * useapi took the submission: its answer is written and the job moves `submitting` -> `running`
 * in one statement. The answer is written whatever the job's state; the job row comes back only
 * when it was still `submitting` (not cancelled or resumed by another worker meanwhile).
 */
export async function settleAndMarkRunning(
  db: Db,
  attemptId: string,
  a: SubmissionAnswer & { upstreamJobId: string },
  job: { id: string; account: string },
): Promise<JobRow | undefined> {
  // One named statement of fixed text: a field the answer leaves undefined keeps its value (its flag is false).
  const now = new Date().toISOString();
  const client = pgClientOf(db);
  const { rows } = await client.query({
    name: 'flowq_settle_and_mark_running',
    text: SETTLE_AND_MARK_RUNNING_SQL,
    values: [
      attemptId,
      a.outcome,
      a.statusCode !== undefined,
      a.statusCode ?? null,
      a.reason !== undefined,
      a.reason ?? null,
      a.upstreamJobId,
      a.detail !== undefined,
      a.detail === undefined || a.detail === null ? null : JSON.stringify(a.detail),
      now,
      job.id,
      job.account,
    ],
  });
  const [raw] = rows as Record<string, unknown>[];
  return raw ? jobRowOf(raw) : undefined;
}

// $1 attempt id, $2 outcome, $3/$4 status code (written?, value), $5/$6 reason, $7 upstream jobid,
// $8/$9 detail, $10 now, $11 job id, $12 account.
const SETTLE_AND_MARK_RUNNING_SQL = `with settled as (
  update job_attempts set outcome = $2,
    status_code = case when $3::boolean then $4::integer else status_code end,
    reason = case when $5::boolean then $6::text else reason end,
    upstream_job_id = $7,
    detail = case when $8::boolean then $9::jsonb else detail end,
    finished_at = $10::timestamptz,
    duration_ms = (extract(epoch from $10::timestamptz - started_at) * 1000)::int
  where id = $1
  returning id)
update jobs set status = 'running', account = $12, upstream_job_id = $7, started_at = $10::timestamptz, updated_at = $10::timestamptz
where id = $11 and status = 'submitting'
returning *`;

/** The job's most recent submit attempt. */
export async function latestSubmission(db: Db, jobId: string): Promise<AttemptRow | undefined> {
  const [row] = await db
    .select()
    .from(jobAttempts)
    .where(and(eq(jobAttempts.jobId, jobId), eq(jobAttempts.kind, 'submit')))
    .orderBy(desc(jobAttempts.startedAt), desc(jobAttempts.id))
    .limit(1);
  return row;
}

/**
 * A callback named this attempt (`request.replyRef`) and its upstream jobid: fill in the jobid
 * of a pending attempt whose answer has not been written yet. Returns true when it did.
 */
export async function noteCallbackJobId(db: Db, jobId: string, attemptId: string, upstreamJobId: string): Promise<boolean> {
  const rows = await db
    .update(jobAttempts)
    .set({ upstreamJobId })
    .where(and(eq(jobAttempts.id, attemptId), eq(jobAttempts.jobId, jobId), eq(jobAttempts.kind, 'submit'), isNull(jobAttempts.upstreamJobId)))
    .returning({ id: jobAttempts.id });
  return rows.length > 0;
}

/** Upstream jobids that callbacks reported for this attempt (callback rows keep the replyRef in `detail`). */
export async function callbackJobIdsFor(db: Db, jobId: string, attemptId: string): Promise<string[]> {
  const rows = await db
    .select({ upstreamJobId: jobAttempts.upstreamJobId })
    .from(jobAttempts)
    .where(and(eq(jobAttempts.jobId, jobId), eq(jobAttempts.kind, 'callback'), sql`${jobAttempts.detail} ->> 'replyRef' = ${attemptId}`));
  return rows.map((r) => r.upstreamJobId).filter((id): id is string => Boolean(id));
}

/** Unfinished jobs that hold (or may hold) an account slot: running upstream, or mid-submit. `kind` says which lane the slot is in. */
export function jobsHoldingSlots(db: Db, afterId: string, limit: number): Promise<{ id: string; kind: JobKind; account: string | null }[]> {
  return db
    .select({ id: jobs.id, kind: jobs.kind, account: jobs.account })
    .from(jobs)
    .where(and(inArray(jobs.status, ['submitting', 'running']), sql`${jobs.id} > ${afterId}`))
    .orderBy(jobs.id)
    .limit(limit);
}

/** The ids among `ids` whose job still holds its account slot (`submitting` or `running`). */
export async function stillHoldingSlots(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(inArray(jobs.id, ids), inArray(jobs.status, ['submitting', 'running'])));
  return new Set(rows.map((r) => r.id));
}

/** The status of each job among `ids` that has a row (slot lease ids are job ids). */
export async function statusesOf(db: Db, ids: string[]): Promise<Map<string, JobStatus>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: jobs.id, status: jobs.status }).from(jobs).where(inArray(jobs.id, ids));
  return new Map(rows.map((r) => [r.id, r.status]));
}

/** One page of unfinished jobs (queued, submitting, running) after `afterId`, in id order: what must have a live queue entry. */
export function unfinishedJobsPage(db: Db, afterId: string, limit: number): Promise<{ id: string; priority: number; batchRow: number | null }[]> {
  return db
    .select({ id: jobs.id, priority: jobs.priority, batchRow: jobs.batchRow })
    .from(jobs)
    .where(and(inArray(jobs.status, ['queued', 'submitting', 'running']), sql`${jobs.id} > ${afterId}`))
    .orderBy(jobs.id)
    .limit(limit);
}

/**
 * The most urgent `queued` jobs of one lane (image jobs, or every other kind), for the idle-slot
 * refill: a parked job that a wake-up missed and the waiting room does not list is found here.
 */
export async function mostUrgentQueued(db: Db, lane: 'image' | 'video', limit: number): Promise<string[]> {
  if (limit <= 0) return [];
  const rows = await db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.status, 'queued'), lane === 'image' ? eq(jobs.kind, 'image') : ne(jobs.kind, 'image')))
    .orderBy(desc(jobs.priority), jobs.id)
    .limit(limit);
  return rows.map((r) => r.id);
}
