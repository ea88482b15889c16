import type { JobResult, VideoResult } from '@flowq/core';
import { mediaResponseSchema, operationsResponseSchema, type MediaEntry, type OperationEntry } from './schemas/completed-video';
import type { UpstreamJobRecord } from './schemas/job-record';

const SUCCESSFUL = 'MEDIA_GENERATION_STATUS_SUCCESSFUL';

// A clip that says it succeeded but has no URL cannot be delivered, so it counts as failed.
function statusOf(upstreamStatus: string | undefined, url: string): VideoResult['status'] {
  return url !== '' && (upstreamStatus === undefined || upstreamStatus === SUCCESSFUL) ? 'succeeded' : 'failed';
}

function fromOperation(entry: OperationEntry): VideoResult {
  const video = entry.operation?.metadata?.video;
  const url = video?.fifeUrl ?? '';
  return {
    url,
    thumbnailUrl: video?.servingBaseUri ?? null,
    seed: video?.seed ?? null,
    mediaGenerationId: entry.mediaGenerationId ?? video?.mediaGenerationId ?? null,
    status: statusOf(entry.status, url),
  };
}

function fromMedia(entry: MediaEntry): VideoResult {
  const url = entry.videoUrl ?? '';
  const id = entry.mediaGenerationId;
  return {
    url,
    thumbnailUrl: entry.thumbnailUrl ?? null,
    seed: entry.video?.generatedVideo?.seed ?? null,
    mediaGenerationId: id === undefined ? null : typeof id === 'string' ? id : id.mediaGenerationId,
    status: statusOf(entry.mediaMetadata?.mediaStatus?.mediaGenerationStatus, url),
  };
}

/**
 * The clips of a completed job, from either completed shape (`response.operations[]` of the
 * Nov 2025 videos page, `response.media[]` of the 2026 docs). No clips when the response is neither.
 */
export function videosOf(record: Pick<UpstreamJobRecord, 'response'>): JobResult {
  const ops = operationsResponseSchema.safeParse(record.response);
  if (ops.success) return { videos: ops.data.operations.map(fromOperation), remainingCredits: ops.data.remainingCredits ?? null };
  const media = mediaResponseSchema.safeParse(record.response);
  if (media.success) return { videos: media.data.media.map(fromMedia), remainingCredits: media.data.remainingCredits ?? null };
  return { videos: [], remainingCredits: null };
}
