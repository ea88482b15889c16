import { pgClientOf } from '../named-statement';
import { newId, newSecret, type JobKind, type JobRequests, type VideoRequest } from '@flowq/core';
import { getTableColumns, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { jobs, type JobRow } from '../schema';

export interface NewJob {
  /** Default `video`. */
  kind?: JobKind;
  request: VideoRequest | JobRequests[JobKind];
  priority?: number;
  metadata?: unknown;
  batchId?: string | null;
  ownerKey?: string | null;
  /** Called, signed, when the job ends (already checked by the SSRF guard). */
  callbackUrl?: string | null;
  /** The job's own budget in credits. */
  maxCredits?: number | null;
  deadlineMs: number;
  now?: Date;
}

function prepareInsert(db: Db) {
  return db
    .insert(jobs)
    .values({
      id: sql.placeholder('id'),
      kind: sql.placeholder('kind'),
      request: sql.placeholder('request'),
      priority: sql.placeholder('priority'),
      metadata: sql.placeholder('metadata'),
      batchId: sql.placeholder('batchId'),
      ownerKey: sql.placeholder('ownerKey'),
      callbackSecret: sql.placeholder('callbackSecret'),
      callbackUrl: sql.placeholder('callbackUrl'),
      maxCredits: sql.placeholder('maxCredits'),
      budgeted: sql.placeholder('budgeted'),
      createdAt: sql.placeholder('createdAt'),
      updatedAt: sql.placeholder('createdAt'),
      deadlineAt: sql.placeholder('deadlineAt'),
    })
    .returning()
    .prepare('flowq_insert_job');
}

// The hottest write of the API: a named prepared statement skips drizzle rebuilding the SQL
// on every request (about a fifth of the API's CPU per POST /v1/jobs, measured by bench api).
const prepared = new WeakMap<Db, ReturnType<typeof prepareInsert>>();

export async function insertJob(db: Db, job: NewJob): Promise<JobRow> {
  let statement = prepared.get(db);
  if (!statement) prepared.set(db, (statement = prepareInsert(db)));
  const [row] = await statement.execute(valuesOf(job));
  return row!;
}

/**
 * Many jobs in one statement (one round trip, one commit), answered in the order given.
 * The API's group commit sends the jobs of requests that arrived together this way.
 */
export async function insertJobs(db: Db, batch: NewJob[]): Promise<JobRow[]> {
  if (batch.length === 0) return [];
  if (batch.length === 1) return [await insertJob(db, batch[0]!)];
  const values = batch.map(valuesOf);
  // One named statement for any number of rows: the rows travel as one JSON parameter, so
  // Postgres plans it once per connection and nothing builds SQL per request (drizzle building
  // a multi-row VALUES list was the API's largest own cost in a CPU profile of bench api).
  const client = pgClientOf(db);
  const { rows } = await client.query({ name: 'flowq_insert_jobs', text: INSERT_JOBS_SQL, values: [JSON.stringify(values)] });
  const byId = new Map(rows.map((raw: Record<string, unknown>) => [raw.id as string, jobRowOf(raw)]));
  return values.map((v) => byId.get(v.id)!);
}

const INSERT_JOBS_SQL = `insert into jobs (id, kind, request, priority, metadata, batch_id, owner_key, callback_secret, callback_url, max_credits, budgeted, created_at, updated_at, deadline_at)
select id, kind, request, priority, metadata, "batchId", "ownerKey", "callbackSecret", "callbackUrl", "maxCredits", budgeted, "createdAt", "createdAt", "deadlineAt"
from jsonb_to_recordset($1::jsonb) as r(id text, kind text, request jsonb, priority integer, metadata jsonb, "batchId" text, "ownerKey" text, "callbackSecret" text, "callbackUrl" text, "maxCredits" integer, budgeted boolean, "createdAt" timestamptz, "deadlineAt" timestamptz)
returning *`;

const JOB_COLUMNS = Object.entries(getTableColumns(jobs));

/** A `jobs` row as pg returns it (column names, driver values) into the shape drizzle gives. */
export function jobRowOf(raw: Record<string, unknown>): JobRow {
  const row: Record<string, unknown> = {};
  for (const [key, column] of JOB_COLUMNS) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as JobRow;
}

function valuesOf(job: NewJob) {
  const now = job.now ?? new Date();
  return {
    id: newId('job', now.getTime()),
    kind: job.kind ?? 'video',
    request: job.request,
    priority: job.priority ?? 0,
    metadata: job.metadata ?? null,
    batchId: job.batchId ?? null,
    ownerKey: job.ownerKey ?? null,
    callbackSecret: newSecret(),
    callbackUrl: job.callbackUrl ?? null,
    maxCredits: job.maxCredits ?? null,
    budgeted: job.maxCredits !== undefined && job.maxCredits !== null,
    createdAt: now,
    deadlineAt: new Date(now.getTime() + job.deadlineMs),
  };
}
