import { sql } from 'drizzle-orm';
import type { Db } from '../client';
import { jobAttempts, jobs } from '../schema';

export interface AttemptOutcomeCounts {
  succeeded: number;
  failed: number;
  /** Submissions answered 429. */
  throttled: number;
}

export interface AccountOutcomeStats {
  email: string;
  /** Attempts started within the window. */
  recent: AttemptOutcomeCounts;
  total: AttemptOutcomeCounts;
  /** From the job's start upstream to the poll that found it completed; null before the first. */
  meanGenerationMs: number | null;
}

/** useapi's own window for account health. */
export const ACCOUNT_STATS_WINDOW_MS = 15 * 60_000;

const zero = (): AttemptOutcomeCounts => ({ succeeded: 0, failed: 0, throttled: 0 });

/**
 * Outcome counts per account from `job_attempts`, as the worker records them:
 * - succeeded: a poll that found the generation `completed`;
 * - throttled: a submission answered 429;
 * - failed: a submission classified `permanent`, or a poll that found the generation failed
 *   (the only polls stored with the failed job record as `detail`; a poll that merely did not
 *   get an answer has none and counts as nothing).
 */
export async function accountOutcomeStats(db: Db, emails: string[], opts: { now?: Date; windowMs?: number } = {}): Promise<Map<string, AccountOutcomeStats>> {
  const out = new Map<string, AccountOutcomeStats>(emails.map((email) => [email, { email, recent: zero(), total: zero(), meanGenerationMs: null }]));
  if (emails.length === 0) return out;
  const since = new Date((opts.now ?? new Date()).getTime() - (opts.windowMs ?? ACCOUNT_STATS_WINDOW_MS));
  const a = jobAttempts;
  const succeeded = sql`(${a.kind} = 'poll' and ${a.outcome} = 'completed')`;
  const throttled = sql`(${a.kind} = 'submit' and ${a.statusCode} = 429)`;
  const failed = sql`((${a.kind} = 'submit' and ${a.outcome} = 'permanent') or (${a.kind} = 'poll' and ${a.outcome} <> 'completed' and ${a.detail} is not null))`;
  const recent = sql`${a.startedAt} > ${since.toISOString()}::timestamptz`;
  const result = await db.execute<{
    email: string;
    rs: number;
    rf: number;
    rt: number;
    ts: number;
    tf: number;
    tt: number;
    mean_ms: number | null;
  }>(sql`
    select ${a.account} as email,
      (count(*) filter (where ${succeeded} and ${recent}))::int as rs,
      (count(*) filter (where ${failed} and ${recent}))::int as rf,
      (count(*) filter (where ${throttled} and ${recent}))::int as rt,
      (count(*) filter (where ${succeeded}))::int as ts,
      (count(*) filter (where ${failed}))::int as tf,
      (count(*) filter (where ${throttled}))::int as tt,
      (avg(extract(epoch from (${a.finishedAt} - ${jobs.startedAt})) * 1000)
        filter (where ${succeeded} and ${a.finishedAt} >= ${jobs.startedAt}))::float8 as mean_ms
    from ${a}
    left join ${jobs} on ${jobs.id} = ${a.jobId} and ${succeeded}
    where ${a.account} = any(${sql.param(emails)}::text[])
    group by ${a.account}`);
  for (const r of result.rows) {
    const stats = out.get(r.email);
    if (!stats) continue;
    stats.recent = { succeeded: r.rs, failed: r.rf, throttled: r.rt };
    stats.total = { succeeded: r.ts, failed: r.tf, throttled: r.tt };
    stats.meanGenerationMs = r.mean_ms === null ? null : Math.round(r.mean_ms);
  }
  return out;
}
