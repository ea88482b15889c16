import { isTerminal } from '@flowq/core';
import { findJob, type Db, type JobRow } from '@flowq/db';
import type { FlowqMetrics } from '@flowq/metrics';
import type { GeneratePayload } from '@flowq/queue';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';

/** The row as the step ended the job, when it knows it; the metered wrapper reads it otherwise. */
export type EndedJob = Pick<JobRow, 'status' | 'createdAt' | 'completedAt'>;
type Processor = (job: Job<GeneratePayload>, token?: string) => Promise<EndedJob | undefined | void>;

/** A job that ended longer ago than this was ended by an earlier step; a repeated step must not count it twice. */
const JUST_ENDED_MS = 60_000;

/**
 * Times each step and, when a step ends its job, observes the job's whole life. Wraps the
 * processor from outside, so the steps themselves know nothing of metrics.
 */
export function meteredProcessor(
  processor: Processor,
  db: Db,
  metrics: FlowqMetrics,
  now: () => number = Date.now,
): (job: Job<GeneratePayload>, token?: string) => Promise<void> {
  async function observeEnd(jobId: string, ended: EndedJob | undefined): Promise<void> {
    const row = ended ?? (await findJob(db, jobId));
    if (!row || !isTerminal(row.status) || !row.completedAt) return;
    if (now() - row.completedAt.getTime() > JUST_ENDED_MS) return;
    metrics.jobDuration.observe({ status: row.status }, (row.completedAt.getTime() - row.createdAt.getTime()) / 1000);
  }
  return async (job, token) => {
    const stop = metrics.stepDuration.startTimer();
    let result = 'error';
    let ended: EndedJob | undefined;
    try {
      ended = (await processor(job, token)) ?? undefined;
      result = 'done';
    } catch (err) {
      result = err instanceof DelayedError ? 'delayed' : err instanceof UnrecoverableError ? 'failed' : 'error';
      throw err;
    } finally {
      stop({ result });
      if (result === 'done' || result === 'failed') await observeEnd(job.data.jobId, ended).catch(() => undefined);
    }
  };
}
