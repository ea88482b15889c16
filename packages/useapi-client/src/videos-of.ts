import type { JobResult, VideoResult } from '@flowq/core';
import { mediaResponseSchema, operationsResponseSchema, type MediaEntry, type OperationEntry } from './schemas/completed-video';
import type { UpstreamJobRecord } from './schemas/job-record';

const SUCCESSFUL = 'MEDIA_GENERATION_STATUS_SUCCESSFUL';

/**
 * How long Google's signed video and thumbnail URLs work: about 6 h in 2026 (useapi's scripts
 * and characters page); the November 2025 videos page said about 24 h.
 */
export const SIGNED_URL_TTL_MS = 6 * 60 * 60 * 1000;

/** One clip of a completed job: what an archiver needs to fetch it before its links expire. */
export interface UpstreamClip {
  videoUrl: string | null;
  thumbnailUrl: string | null;
  mediaGenerationId: string | null;
  seed: number | null;
  succeeded: boolean;
  /** Estimated: the job's `updated` time (else `receivedAt`) plus the URL lifetime. */
  expiresAt: Date | null;
}

// A clip that says it succeeded but has no URL cannot be delivered, so it counts as failed.
const isSuccess = (upstreamStatus: string | undefined, url: string | undefined) =>
  url !== undefined && url !== '' && (upstreamStatus === undefined || upstreamStatus === SUCCESSFUL);

function fromOperation(entry: OperationEntry, expiresAt: Date | null): UpstreamClip {
  const video = entry.operation?.metadata?.video;
  const succeeded = isSuccess(entry.status, video?.fifeUrl);
  return {
    videoUrl: video?.fifeUrl || null,
    thumbnailUrl: video?.servingBaseUri ?? null,
    mediaGenerationId: entry.mediaGenerationId ?? video?.mediaGenerationId ?? null,
    seed: video?.seed ?? null,
    succeeded,
    expiresAt: succeeded ? expiresAt : null,
  };
}

function fromMedia(entry: MediaEntry, expiresAt: Date | null): UpstreamClip {
  const id = entry.mediaGenerationId;
  const succeeded = isSuccess(entry.mediaMetadata?.mediaStatus?.mediaGenerationStatus, entry.videoUrl);
  return {
    videoUrl: entry.videoUrl || null,
    thumbnailUrl: entry.thumbnailUrl ?? null,
    mediaGenerationId: id === undefined ? null : typeof id === 'string' ? id : id.mediaGenerationId,
    seed: entry.video?.generatedVideo?.seed ?? null,
    succeeded,
    expiresAt: succeeded ? expiresAt : null,
  };
}

/**
 * The clips of a completed record, from `response.media[]` (today's shape) or, failing that,
 * `response.operations[]` (the legacy one); useapi may send both side by side. No clips when
 * the response has neither. `receivedAt` stands in for the completion time when the record has no `updated`.
 */
export function clipsOf(
  record: Pick<UpstreamJobRecord, 'response' | 'updated'>,
  receivedAt: Date,
  urlTtlMs: number = SIGNED_URL_TTL_MS,
): { clips: UpstreamClip[]; remainingCredits: number | null } {
  const completedAt = record.updated !== undefined && !Number.isNaN(Date.parse(record.updated)) ? new Date(record.updated) : receivedAt;
  const expiresAt = new Date(Math.min(completedAt.getTime(), receivedAt.getTime()) + urlTtlMs);
  const media = mediaResponseSchema.safeParse(record.response);
  if (media.success) return { clips: media.data.media.map((m) => fromMedia(m, expiresAt)), remainingCredits: media.data.remainingCredits ?? null };
  const ops = operationsResponseSchema.safeParse(record.response);
  if (ops.success) return { clips: ops.data.operations.map((o) => fromOperation(o, expiresAt)), remainingCredits: ops.data.remainingCredits ?? null };
  return { clips: [], remainingCredits: null };
}

function videoResultOf(clip: UpstreamClip): VideoResult {
  return {
    url: clip.videoUrl ?? '',
    thumbnailUrl: clip.thumbnailUrl,
    seed: clip.seed,
    mediaGenerationId: clip.mediaGenerationId,
    status: clip.succeeded ? 'succeeded' : 'failed',
    upstreamUrl: clip.videoUrl ?? undefined,
    upstreamThumbnailUrl: clip.thumbnailUrl,
    upstreamExpiresAt: clip.expiresAt?.toISOString() ?? null,
  };
}

/** A completed record as a flowq job result. */
export function videosOf(
  record: Pick<UpstreamJobRecord, 'response' | 'updated'>,
  receivedAt: Date = new Date(),
  urlTtlMs: number = SIGNED_URL_TTL_MS,
): JobResult {
  const { clips, remainingCredits } = clipsOf(record, receivedAt, urlTtlMs);
  return { videos: clips.map(videoResultOf), remainingCredits };
}
