import { and, asc, gte, inArray, lte } from 'drizzle-orm';
import type { Db } from '../client';
import { accountEvents, type AccountEventRow, type AttemptRow, type JobRow } from '../schema';
import { listAttempts } from './attempts';

export interface JobTimeline {
  attempts: AttemptRow[];
  /** What happened to the accounts the job ran on while it lived (cool-offs, quota, state changes). */
  accountEvents: AccountEventRow[];
}

/** A job's attempts and the events of the accounts it used, between its creation and its end (or now). */
export async function jobTimeline(db: Db, job: JobRow, now = new Date()): Promise<JobTimeline> {
  const attempts = await listAttempts(db, job.id);
  const emails = [...new Set([job.account, ...attempts.map((a) => a.account)].filter((e): e is string => Boolean(e)))];
  if (emails.length === 0) return { attempts, accountEvents: [] };
  const events = await db
    .select()
    .from(accountEvents)
    .where(and(inArray(accountEvents.email, emails), gte(accountEvents.at, job.createdAt), lte(accountEvents.at, job.completedAt ?? now)))
    .orderBy(asc(accountEvents.at), asc(accountEvents.id))
    .limit(200);
  return { attempts, accountEvents: events };
}
