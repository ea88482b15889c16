import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { JOB_STATUSES, type JobError, type JobKind, type JobResult, type VideoRequest } from '@flowq/core';

export const jobStatus = pgEnum('job_status', JOB_STATUSES);
export const accountTier = pgEnum('account_tier', ['ultra', 'pro']);
/** `missing`: useapi no longer has the account (404 on submit, or absent from its list); it leaves the pool until found again. */
export const accountState = pgEnum('account_state', ['active', 'cooling', 'needs_reauth', 'no_credits', 'disabled', 'missing']);
export const batchStatus = pgEnum('batch_status', ['ingesting', 'active', 'finished', 'cancelled', 'failed']);

/** One generation request, from acceptance to its end. The source of truth; Redis only mirrors it. */
export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    status: jobStatus('status').notNull().default('queued'),
    /** What the job makes (`JOB_KIND_SPECS`); `request` holds that kind's request. */
    kind: text('kind').$type<JobKind>().notNull().default('video'),
    /** The job whose chain (`request.then`) created this one, once that job succeeded. */
    parentJobId: text('parent_job_id'),
    /** Typed as a video request, which most jobs are; read through the kind for the others (`requestOfKind`). */
    request: jsonb('request').$type<VideoRequest>().notNull(),
    priority: integer('priority').notNull().default(0),
    metadata: jsonb('metadata').$type<unknown>(),
    batchId: text('batch_id'),
    /** 1-based row of the batch's input (CSV data row or JSON item). */
    batchRow: integer('batch_row'),
    /** The client's own reference for a batch row, echoed in results. */
    ref: text('ref'),
    ownerKey: text('owner_key'),
    account: text('account'),
    upstreamJobId: text('upstream_job_id'),
    /** Part of the webhook URL; proves a callback came from the request we made. */
    callbackSecret: text('callback_secret').notNull(),
    /** The client's own URL, called (signed) when the job ends; see callback_deliveries. */
    callbackUrl: text('callback_url'),
    /** Attempts that ended in a real error (capacity waits are not counted). */
    attempts: integer('attempts').notNull().default(0),
    /** Every POST /videos made for this job, whatever its answer. */
    submissions: integer('submissions').notNull().default(0),
    result: jsonb('result').$type<JobResult>(),
    /** Credits the generation cost, priced at the tier of the account that made it (set on success). */
    credits: integer('credits'),
    /** The job's own budget: it is never submitted where it would cost more (null: none). */
    maxCredits: integer('max_credits'),
    /** Submitting must check a budget (its own, or its batch's): only then is a reservation taken. */
    budgeted: boolean('budgeted').notNull().default(false),
    /** Credits this job holds against its batch's budget while it runs and once it succeeded; given back when it fails or is cancelled. */
    reservedCredits: integer('reserved_credits'),
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
    index('jobs_parent_idx').on(t.parentJobId).where(sql`${t.parentJobId} is not null`),
    index('jobs_batch_row_idx').on(t.batchId, t.batchRow),
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
  (t) => [index('job_attempts_job_idx').on(t.jobId, t.startedAt), index('job_attempts_account_idx').on(t.account, t.startedAt)],
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
  /** Stops taking new jobs; removed once its running jobs end. */
  draining: boolean('draining').notNull().default(false),
  /** Per-model daily quota spent: model -> ISO time it resets (next UTC midnight). */
  modelQuotaUntil: jsonb('model_quota_until').$type<Record<string, string>>().notNull().default({}),
  /** The video models useapi says the account may run (`GET /accounts/{email}`); null until a sync has read them. */
  videoModels: jsonb('video_models').$type<string[]>(),
  /** Models it answered 403 MODEL_ACCESS_DENIED for: model -> ISO time of the refusal. Cleared by a sync that lists the model. */
  deniedModels: jsonb('denied_models').$type<Record<string, string>>().notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export type JobRow = typeof jobs.$inferSelect;
export type NewJobRow = typeof jobs.$inferInsert;
export type AttemptRow = typeof jobAttempts.$inferSelect;
export type AccountRow = typeof accounts.$inferSelect;

/** Every state change, cool-off and quota of an account, with its reason: the audit trail ops read. */
export const accountEvents = pgTable(
  'account_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    email: text('email').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    kind: text('kind').notNull(),
    fromState: text('from_state'),
    toState: text('to_state'),
    reason: text('reason'),
    until: timestamp('until', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('account_events_email_idx').on(t.email, t.at)],
);

/** Many jobs created by one upload; its rows are jobs with `batch_id`. */
export const batches = pgTable(
  'batches',
  {
    id: text('id').primaryKey(),
    name: text('name'),
    ownerKey: text('owner_key'),
    status: batchStatus('status').notNull().default('ingesting'),
    total: integer('total').notNull().default(0),
    accepted: integer('accepted').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    defaults: jsonb('defaults').$type<Record<string, unknown>>(),
    /** The first 1,000 invalid rows: `{ row, column, message }`. */
    errors: jsonb('errors').$type<{ row: number; column: string; message: string }[]>(),
    /** The client's own URL, called (signed) once every job of the batch has ended. */
    callbackUrl: text('callback_url'),
    /** The batch's budget: no job is submitted where the batch's jobs together would hold more (null: none). */
    maxCredits: integer('max_credits'),
    /** Credits its jobs hold: reserved by those submitted and not failed or cancelled. */
    committedCredits: integer('committed_credits').notNull().default(0),
    /** When `batch.completed` was written to the outbox; cleared when a retry reopens the batch. */
    callbackQueuedAt: timestamp('callback_queued_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('batches_owner_idx').on(t.ownerKey, t.id)],
);

/** API keys created with the CLI; only a hash is stored. FLOWQ_API_KEYS stay as bootstrap admin keys. */
export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  hash: text('hash').notNull().unique(),
  admin: boolean('admin').notNull().default(false),
  /** The callback signing secret, sealed with FLOWQ_SECRET_KEY (secret-box.ts): it must sign again, so it cannot be a hash. */
  signingSecret: text('signing_secret'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
});

/** Answers remembered for `Idempotency-Key` (24 h): same key and body, same answer; other body, 409. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    ownerKey: text('owner_key').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ownerKey, t.key] })],
);

export type AccountEventRow = typeof accountEvents.$inferSelect;
export type BatchRow = typeof batches.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;

/**
 * One file of a job's result (a clip's video or its thumbnail, or an image of an image job;
 * `clip_index` is then the image's index) and its copy in flowq's media
 * store. Rows are written `pending` when the upstream job completes; the archive step streams
 * each into the store and records what it stored (`archived`), or why it could not (`failed`);
 * retention maintenance deletes old copies (`expired`).
 */
export const mediaFiles = pgTable(
  'media_files',
  {
    id: text('id').primaryKey(),
    jobId: text('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    /** The API key that owns the job; another key's request for this file answers 404. */
    ownerKey: text('owner_key'),
    clipIndex: integer('clip_index').notNull(),
    kind: text('kind').$type<'video' | 'thumbnail' | 'image'>().notNull(),
    status: text('status').$type<'pending' | 'archived' | 'failed' | 'expired'>().notNull().default('pending'),
    /** Where the file lives in the media store. */
    storageKey: text('storage_key').notNull(),
    /** useapi's signed link, as last read from the upstream job. */
    upstreamUrl: text('upstream_url').notNull(),
    /** When that link is expected to stop working (useapi does not say; UPSTREAM_LINK_TTL_HOURS). */
    upstreamExpiresAt: timestamp('upstream_expires_at', { withTimezone: true, mode: 'date' }),
    bytes: bigint('bytes', { mode: 'number' }),
    sha256: text('sha256'),
    contentType: text('content_type'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    archivedAt: timestamp('archived_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('media_files_job_clip_kind_idx').on(t.jobId, t.clipIndex, t.kind),
    index('media_files_archived_at_idx').on(t.archivedAt).where(sql`${t.status} = 'archived'`),
  ],
);

export type MediaFileRow = typeof mediaFiles.$inferSelect;

/**
 * The outbox of client callbacks: one row per event (a job's end, a batch's end), written in
 * the same transaction as the change it announces, so no restart or wiped Redis loses one.
 * Its id is the `Flowq-Delivery-Id`, the same on every retry. Senders claim due rows with
 * `FOR UPDATE SKIP LOCKED` and push `next_attempt_at` past the send, so two processes never
 * send the same attempt.
 */
export const callbackDeliveries = pgTable(
  'callback_deliveries',
  {
    id: text('id').primaryKey(),
    event: text('event').$type<'job.succeeded' | 'job.failed' | 'job.cancelled' | 'batch.completed'>().notNull(),
    jobId: text('job_id'),
    batchId: text('batch_id'),
    ownerKey: text('owner_key'),
    url: text('url').notNull(),
    status: text('status').$type<'pending' | 'delivered' | 'failed'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** The JSON sent, fixed at the first attempt so every retry sends the same bytes. */
    body: text('body'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('callback_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('callback_deliveries_job_idx').on(t.jobId),
    index('callback_deliveries_batch_idx').on(t.batchId),
  ],
);

/** Each POST of a callback: when, what the receiver answered (or why there was no answer), how long it took. */
export const callbackAttempts = pgTable(
  'callback_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deliveryId: text('delivery_id')
      .notNull()
      .references(() => callbackDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [index('callback_attempts_delivery_idx').on(t.deliveryId, t.attempt)],
);

export type CallbackDeliveryRow = typeof callbackDeliveries.$inferSelect;
export type CallbackAttemptRow = typeof callbackAttempts.$inferSelect;

/**
 * flowq's own images (`POST /v1/images`, or an image URL fetched at request time): the bytes
 * live once in the media store per owner, named by their SHA-256, so the same bytes uploaded
 * twice by one key are one row and one file.
 */
export const images = pgTable(
  'images',
  {
    id: text('id').primaryKey(),
    /** The API key that uploaded it; only that key may read it or use it in a job. */
    ownerKey: text('owner_key').notNull(),
    sha256: text('sha256').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    contentType: text('content_type').$type<'image/png' | 'image/jpeg' | 'image/webp'>().notNull(),
    /** Where the bytes live in the media store. */
    storageKey: text('storage_key').notNull(),
    /** The URL it was fetched from, when it came from one. */
    sourceUrl: text('source_url'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('images_owner_sha256_idx').on(t.ownerKey, t.sha256)],
);

export type ImageRow = typeof images.$inferSelect;

/**
 * Which Flow account holds which flowq image, as the mediaGenerationId `POST /assets` gave it.
 * The key (image, account) is unique and a row is first a claim (`media_generation_id` null,
 * `claimed_at`): the worker that writes the claim uploads, the others wait for its id, so an
 * image is uploaded once per account even when many jobs need it at once. A claim older than
 * the upload deadline was left by a dead worker and may be taken over.
 */
export const imageUploads = pgTable(
  'image_uploads',
  {
    imageId: text('image_id')
      .notNull()
      .references(() => images.id, { onDelete: 'cascade' }),
    /** The account's email, lower-cased. */
    account: text('account').notNull(),
    /** Null while the upload runs. */
    mediaGenerationId: text('media_generation_id'),
    claimedAt: timestamp('claimed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.imageId, t.account] })],
);
