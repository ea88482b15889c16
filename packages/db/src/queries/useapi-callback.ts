import { pgClientOf } from '../named-statement';
import { TERMINAL_STATUSES } from '@flowq/core';
import type { Db } from '../client';
import type { JobRow } from '../schema';
import { attemptValues } from './attempts';
import { jobRowOf } from './insert-job';

/** What a useapi callback said: its status, the upstream job it named, and the replyRef (our attempt id) it echoed. */
export interface UseapiCallback {
  jobId: string;
  /** The secret of the callback URL, checked against the job's (the writes below happen only when it matches). */
  secret: string;
  status: string;
  upstreamJobId: string | null;
  replyRef: string | null;
}

const TERMINAL = [...TERMINAL_STATUSES].map((s) => `'${s}'`).join(', ');

// $1 job id, $2 secret, $3 status, $4 upstream jobid, $5 replyRef, $6 attempt id, $7 at, $8 detail.
// Secrets are compared by digest, so the comparison's time says nothing about the secret.
const CALLBACK_SQL = `with j as (select * from jobs where id = $1),
ok as (
  select j.status from j
  where sha256(convert_to(j.callback_secret, 'UTF8')) = sha256(convert_to($2::text, 'UTF8')) and j.status not in (${TERMINAL})),
noted as (
  update job_attempts set upstream_job_id = $4::text
  where $5::text is not null and $4::text is not null and id = $5::text and job_id = $1 and kind = 'submit' and upstream_job_id is null
    and exists (select 1 from ok where ok.status = 'submitting')
  returning id),
recorded as (
  insert into job_attempts (id, job_id, kind, account, status_code, outcome, reason, upstream_job_id, started_at, finished_at, duration_ms, detail)
  select $6::text, $1, 'callback', j.account, null, $3::text, null, $4::text, $7::timestamptz, $7::timestamptz, 0, $8::jsonb from j, ok
  where $3::text in ('completed', 'failed')
  returning id)
select * from j`;

/**
 * A useapi callback's writes and the job row, in one statement: the row as it was before (the
 * caller checks the secret again in constant time and answers from it), and, only when the
 * secret matches and the job has not ended, what the callback teaches: a `submitting` job's
 * pending attempt learns the upstream jobid the callback names (`noteCallbackJobId`), and an
 * end (`completed` / `failed`) is recorded as a `callback` attempt. Was a read plus up to two writes.
 */
export async function takeUseapiCallback(db: Db, c: UseapiCallback): Promise<JobRow | undefined> {
  const at = new Date();
  const attempt = attemptValues({ jobId: c.jobId, kind: 'callback', startedAt: at, finishedAt: at });
  const client = pgClientOf(db);
  const { rows } = await client.query({
    name: 'flowq_useapi_callback',
    text: CALLBACK_SQL,
    values: [
      c.jobId,
      c.secret,
      c.status,
      c.upstreamJobId,
      c.replyRef,
      attempt.id,
      at.toISOString(),
      c.replyRef ? JSON.stringify({ replyRef: c.replyRef }) : null,
    ],
  });
  const [raw] = rows as Record<string, unknown>[];
  return raw ? jobRowOf(raw) : undefined;
}
