import type { JobRow } from '@flowq/db';

/** A job as clients see it: no secrets, ISO dates. */
export function jobView(row: JobRow) {
  return {
    id: row.id,
    status: row.status,
    request: row.request as unknown as Record<string, unknown>,
    priority: row.priority,
    metadata: row.metadata ?? undefined,
    batchId: row.batchId,
    account: row.account,
    upstreamJobId: row.upstreamJobId,
    attempts: row.attempts,
    callbackUrl: row.callbackUrl,
    result: row.result ? { videos: row.result.videos, remainingCredits: row.result.remainingCredits ?? null } : null,
    error: row.error ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}
