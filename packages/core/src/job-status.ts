/**
 * `over_budget`: waiting, not submitted, because submitting would take the job or its batch past
 * its `maxCredits`; it resumes when the budget is raised.
 * `archiving`: the generation is done and paid; its files are being copied into flowq's media store.
 */
export const JOB_STATUSES = ['queued', 'over_budget', 'submitting', 'running', 'archiving', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** Statuses from which a client may still cancel. A running upstream job cannot be stopped, only abandoned. */
export const CANCELLABLE_STATUSES: ReadonlySet<JobStatus> = new Set(['queued', 'over_budget', 'submitting', 'running']);

/** Statuses of a job that has not ended: a batch holding one is not finished. */
export const UNFINISHED_STATUSES: ReadonlySet<JobStatus> = new Set(['queued', 'over_budget', 'submitting', 'running', 'archiving']);

/** Why a job failed, as stored in `error.code` and shown to clients. */
export const JOB_ERROR_CODES = [
  'content_policy',
  'forbidden_asset',
  'invalid_request',
  'upstream_failed',
  'upstream_timeout',
  'upstream_expired',
  'retries_exhausted',
  'expired',
  'account_not_found',
  /** An upscale or extend whose source video's account has left the pool: no other account can serve it. */
  'source_account_gone',
] as const;
export type JobErrorCode = (typeof JOB_ERROR_CODES)[number];

export interface JobError {
  code: JobErrorCode;
  message: string;
}

export interface VideoResult {
  /** Stored: useapi's link, or once archived flowq's path (`/v1/media/...`), made absolute when shown. */
  url: string;
  thumbnailUrl: string | null;
  seed: number | null;
  mediaGenerationId: string | null;
  status: 'succeeded' | 'failed';
  /** useapi's own links and when they are expected to die (about 6 h after completion). */
  upstreamUrl?: string;
  upstreamThumbnailUrl?: string | null;
  upstreamExpiresAt?: string | null;
  /** Of the archived video. */
  sha256?: string;
  bytes?: number;
  /** Whether flowq kept the files: `off` when MEDIA_ARCHIVE=false. */
  archive?: ClipArchive;
}

export interface ClipArchive {
  /** `pending`: the job is `archiving` and this clip is not stored yet. */
  status: 'pending' | 'archived' | 'failed' | 'expired' | 'off';
  /** Why the clip (or its thumbnail) could not be kept. */
  error?: string;
}

/** One image of an image job (`POST /images`); images have no thumbnail upstream. */
export interface ImageResult {
  /** Stored: useapi's link, or once archived flowq's path, made absolute when shown. */
  url: string;
  seed: number | null;
  mediaGenerationId: string | null;
  upstreamUrl?: string;
  upstreamExpiresAt?: string | null;
  /** Of the archived image. */
  sha256?: string;
  bytes?: number;
  archive?: ClipArchive;
}

export interface JobResult {
  /** Empty for an image job. */
  videos: VideoResult[];
  /** Only for an image job. */
  images?: ImageResult[];
  remainingCredits?: number | null;
}
