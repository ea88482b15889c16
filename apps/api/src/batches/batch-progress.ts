import type { BatchJobGroup } from '@flowq/db';
import { isVideoModel, JOB_STATUSES, maxCreditsFor, UNFINISHED_STATUSES, type Duration, type JobStatus, type Resolution } from '@flowq/core';

/** One batch's jobs grouped by status, model and count (the query's rows without the batch id). */
export type JobGroup = Omit<BatchJobGroup, 'batchId'>;

export interface BatchProgress {
  counts: Record<JobStatus, number>;
  /** Jobs not ended yet (queued, over budget, submitting, running, archiving). */
  unfinished: number;
  credits: { spent: number; estimatedRemaining: number };
  startedAt: Date | null;
  /** Set once every job has ended. */
  finishedAt: Date | null;
  /** Jobs ended (succeeded or failed) per minute: over the last `recentMs` when any ended then, else since the start. */
  throughputPerMinute: number | null;
  etaSeconds: number | null;
}

/** What the group's jobs may still cost: the dearest tier that can run them (the account is not chosen yet). */
function estimatedCredits(g: JobGroup): number {
  if (!isVideoModel(g.model)) return 0;
  const shape = {
    model: g.model,
    count: g.count,
    duration: (g.duration ?? undefined) as Duration | undefined,
    resolution: (g.resolution ?? undefined) as Resolution | undefined,
  };
  return maxCreditsFor(shape) * g.jobs;
}

/**
 * Where a batch stands, from its jobs grouped by status and cost. Credits spent are those of
 * succeeded jobs; the estimate of what remains prices every unfinished job at its model's
 * cost. Cancelled jobs count toward neither the rate nor the time left.
 */
export function batchProgress(groups: readonly JobGroup[], now: Date, recentMs = 60_000): BatchProgress {
  const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  let spent = 0;
  let remaining = 0;
  let startedAt: Date | null = null;
  let lastEnded: Date | null = null;
  let recent = 0;
  for (const g of groups) {
    counts[g.status] += g.jobs;
    if (g.status === 'succeeded') spent += g.credits;
    if (UNFINISHED_STATUSES.has(g.status)) remaining += estimatedCredits(g);
    if (g.firstStartedAt && (!startedAt || g.firstStartedAt < startedAt)) startedAt = g.firstStartedAt;
    if (g.status === 'succeeded' || g.status === 'failed') {
      recent += g.recentlyCompleted;
      if (g.lastCompletedAt && (!lastEnded || g.lastCompletedAt > lastEnded)) lastEnded = g.lastCompletedAt;
    }
  }
  const unfinished = [...UNFINISHED_STATUSES].reduce((n, s) => n + counts[s], 0);
  const ended = counts.succeeded + counts.failed;
  const total = unfinished + ended + counts.cancelled;
  const finishedAt = total > 0 && unfinished === 0 ? (lastEnded ?? now) : null;

  let throughputPerMinute: number | null = null;
  if (startedAt && ended > 0) {
    const until = finishedAt ?? now;
    const sinceStartMs = Math.max(1_000, until.getTime() - startedAt.getTime());
    const window = Math.min(recentMs, sinceStartMs);
    throughputPerMinute = !finishedAt && recent > 0 ? (recent * 60_000) / window : (ended * 60_000) / sinceStartMs;
  }
  const etaSeconds = finishedAt ? 0 : throughputPerMinute ? Math.ceil((unfinished * 60) / throughputPerMinute) : null;
  return { counts, unfinished, credits: { spent, estimatedRemaining: remaining }, startedAt, finishedAt, throughputPerMinute, etaSeconds };
}
