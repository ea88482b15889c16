import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { JOB_STATUSES, type JobError, type JobResult, type VideoRequest } from '@flowq/core';

export const jobStatus = pgEnum('job_status', JOB_STATUSES);
export const accountTier = pgEnum('account_tier', ['ultra', 'pro']);
export const accountState = pgEnum('account_state', ['active', 'cooling', 'needs_reauth', 'no_credits', 'disabled']);

/** One video generation request, from acceptance to its end. The source of truth; Redis only mirrors it. */
export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    status: jobStatus('status').notNull().default('queued'),
    request: jsonb('request').$type<VideoRequest>().notNull(),
    priority: integer('priority').notNull().default(0),
    metadata: jsonb('metadata').$type<unknown>(),
    batchId: text('batch_id'),
    ownerKey: text('owner_key'),
    account: text('account'),
    upstreamJobId: text('upstream_job_id'),
    /** Part of the webhook URL; proves a callback came from the request we made. */
    callbackSecret: text('callback_secret').notNull(),
    /** Attempts that ended in a real error (capacity waits are not counted). */
    attempts: integer('attempts').notNull().default(0),
    /** Every POST /videos made for this job, whatever its answer. */
    submissions: integer('submissions').notNull().default(0),
    result: jsonb('result').$type<JobResult>(),
    error: jsonb('error').$type<JobError>(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
    deadlineAt: timestamp('deadline_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    index('jobs_status_id_idx').on(t.status, t.id),
    index('jobs_batch_idx').on(t.batchId, t.id),
    uniqueIndex('jobs_upstream_job_id_idx').on(t.upstreamJobId).where(sql`${t.upstreamJobId} is not null`),
  ],
);

/** One call to useapi on behalf of a job: submission or poll, with what it answered. */
export const jobAttempts = pgTable(
  'job_attempts',
  {
    id: text('id').primaryKey(),
    jobId: text('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<'submit' | 'poll' | 'callback'>().notNull(),
    account: text('account'),
    statusCode: integer('status_code'),
    outcome: text('outcome'),
    reason: text('reason'),
    upstreamJobId: text('upstream_job_id'),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    durationMs: integer('duration_ms'),
    detail: jsonb('detail').$type<unknown>(),
  },
  (t) => [index('job_attempts_job_idx').on(t.jobId, t.startedAt)],
);

/** A Google Flow account configured at useapi.net, and what flowq knows of its health. */
export const accounts = pgTable('accounts', {
  email: text('email').primaryKey(),
  tier: accountTier('tier').notNull().default('pro'),
  enabled: boolean('enabled').notNull().default(true),
  state: accountState('state').notNull().default('active'),
  coolingUntil: timestamp('cooling_until', { withTimezone: true, mode: 'date' }),
  stateReason: text('state_reason'),
  maxConcurrent: integer('max_concurrent').notNull().default(4),
  maxPerMinute: integer('max_per_minute').notNull().default(10),
  remainingCredits: integer('remaining_credits'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export type JobRow = typeof jobs.$inferSelect;
export type NewJobRow = typeof jobs.$inferInsert;
export type AttemptRow = typeof jobAttempts.$inferSelect;
export type AccountRow = typeof accounts.$inferSelect;
