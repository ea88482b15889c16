import type { BatchState } from '../../services/batch-service';

/** A batch as clients see it: its counts, progress and, on request, the rows refused at upload. */
export function batchView({ batch, progress }: BatchState, opts: { withErrors?: boolean } = {}) {
  const startedAt = batch.startedAt ?? progress.startedAt;
  const finishedAt = batch.finishedAt ?? progress.finishedAt;
  return {
    id: batch.id,
    name: batch.name,
    status: batch.status,
    total: batch.total,
    accepted: batch.accepted,
    rejected: batch.rejected,
    counts: progress.counts,
    credits: { ...progress.credits, maxCredits: batch.maxCredits, committed: batch.committedCredits },
    createdAt: batch.createdAt.toISOString(),
    startedAt: startedAt?.toISOString() ?? null,
    finishedAt: finishedAt?.toISOString() ?? null,
    throughputPerMinute: progress.throughputPerMinute === null ? null : Math.round(progress.throughputPerMinute * 10) / 10,
    etaSeconds: progress.etaSeconds,
    defaults: batch.defaults ?? null,
    ...(opts.withErrors ? { errors: batch.errors ?? [] } : {}),
  };
}
