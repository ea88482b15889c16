/**
 * The error bodies the simulator answers with, one builder per shape seen on useapi.net:
 * useapi's own `{ error: string }` and Google's `{ error: { code, message, status, details } }`.
 */

export interface SimAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type GoogleReason =
  | 'PUBLIC_ERROR_USER_REQUESTS_THROTTLED'
  | 'PUBLIC_ERROR_USER_QUOTA_REACHED'
  | 'PUBLIC_ERROR_PER_MODEL_DAILY_QUOTA_REACHED'
  | 'PUBLIC_ERROR_UNSAFE_GENERATION';

export function useapiError(status: number, message: string): SimAnswer {
  return { status, body: { error: message } };
}

function googleError(code: number, message: string, status: string, reason: GoogleReason) {
  return {
    error: {
      code,
      message,
      status,
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason }],
    },
  };
}

export function resourceExhausted(reason: Exclude<GoogleReason, 'PUBLIC_ERROR_UNSAFE_GENERATION'>, retryAfterSec?: number): SimAnswer {
  const answer: SimAnswer = {
    status: 429,
    body: googleError(429, 'Resource has been exhausted (e.g. check quota).', 'RESOURCE_EXHAUSTED', reason),
  };
  if (retryAfterSec !== undefined) answer.headers = { 'retry-after': String(retryAfterSec) };
  return answer;
}

export function unsafeGeneration(): SimAnswer {
  return {
    status: 400,
    body: googleError(400, 'Request contains an invalid argument.', 'INVALID_ARGUMENT', 'PUBLIC_ERROR_UNSAFE_GENERATION'),
  };
}

export interface SkipReason {
  email: string;
  reason: string;
  model?: string;
}

export function noEligibleAccount(retryAt: Date, skipReasons: SkipReason[]): SimAnswer {
  return {
    status: 429,
    body: {
      error: 'no_eligible_account',
      message: 'No eligible Google Flow account is available for this request',
      retryAfter: retryAt.toISOString(),
      skipReasons,
    },
    headers: { 'retry-after': String(Math.max(1, Math.ceil((retryAt.getTime() - Date.now()) / 1000))) },
  };
}

export const MESSAGES = {
  unauthorized: 'Unauthorized',
  accountNotFound: (email: string) => `Google Flow account ${email} not found`,
  noSubscription: 'Account has no subscription or subscription expired',
  insufficientCredits: (credits: number, cost: number) => `Insufficient credits: ${credits} remaining, ${cost} required`,
  sessionRefresh: 'Failed to refresh session: 500 Internal Server Error',
  captcha: 'Captcha service failed: ERROR_ZERO_BALANCE',
  pollingTimeout: 'Video generation polling timeout after 120 attempts (600s)',
  invalidJobId: 'Invalid job ID format',
  jobNotFound: (jobid: string) => `Job ${jobid} not found`,
  jobExpired: (jobid: string) => `Job ${jobid} has expired`,
  foreignImage: (mediaId: string, userPart: string) => `Unauthorized access to ${userPart} detected in reference ${mediaId}`,
} as const;
