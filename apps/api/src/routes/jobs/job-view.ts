import type { JobRow } from '@flowq/db';
import type { MediaLinks } from '../../media/media-links';
import { imageView } from '../../media/image-view';
import { videoView } from '../../media/video-view';

/** A job as clients see it: no secrets, ISO dates. */
export function jobView(row: JobRow, links: MediaLinks) {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    request: row.request as unknown as Record<string, unknown>,
    priority: row.priority,
    metadata: row.metadata ?? undefined,
    batchId: row.batchId,
    account: row.account,
    upstreamJobId: row.upstreamJobId,
    attempts: row.attempts,
    callbackUrl: row.callbackUrl,
    result: row.result
      ? {
          videos: row.result.videos.map((v) => videoView(v, links)),
          ...(row.result.images ? { images: row.result.images.map((i) => imageView(i, links)) } : {}),
          remainingCredits: row.result.remainingCredits ?? null,
        }
      : null,
    credits: row.credits,
    maxCredits: row.maxCredits,
    error: row.error ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}
