export const JOB_STATUSES = ['queued', 'submitting', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** Statuses from which a client may still cancel. A running upstream job cannot be stopped, only abandoned. */
export const CANCELLABLE_STATUSES: ReadonlySet<JobStatus> = new Set(['queued', 'submitting', 'running']);

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
] as const;
export type JobErrorCode = (typeof JOB_ERROR_CODES)[number];

export interface JobError {
  code: JobErrorCode;
  message: string;
}

export interface VideoResult {
  url: string;
  thumbnailUrl: string | null;
  seed: number | null;
  mediaGenerationId: string | null;
  status: 'succeeded' | 'failed';
  /** When the signed URLs are estimated to stop working (about 6 h after the job completed); null when unknown. */
  expiresAt?: string | null;
}

export interface JobResult {
  videos: VideoResult[];
  remainingCredits?: number | null;
}
