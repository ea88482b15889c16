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
  | 'PUBLIC_ERROR_UNUSUAL_ACTIVITY_TOO_MUCH_TRAFFIC'
  | 'PUBLIC_ERROR_UNSAFE_GENERATION'
  | 'MODEL_ACCESS_DENIED';

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

export type ExhaustedReason = Extract<GoogleReason, `PUBLIC_ERROR_${'USER' | 'PER_MODEL' | 'UNUSUAL'}${string}`>;

/**
 * Google's 429. With `retryAt` (every 2026 429) it carries a `Retry-After` header and an ISO
 * `retryAfter` beside the error, as the 2026 notes say; the 2025 page showed neither.
 */
export function resourceExhausted(reason: ExhaustedReason, retryAt?: Date, now = Date.now()): SimAnswer {
  const body: Record<string, unknown> = googleError(429, 'Resource has been exhausted (e.g. check quota).', 'RESOURCE_EXHAUSTED', reason);
  if (retryAt === undefined) return { status: 429, body };
  body.retryAfter = retryAt.toISOString();
  return { status: 429, body, headers: { 'retry-after': retryAfterSeconds(retryAt, now) } };
}

function retryAfterSeconds(retryAt: Date, now: number): string {
  return String(Math.max(1, Math.ceil((retryAt.getTime() - now) / 1000)));
}

/** 403 for a model the account's plan lacks. The body's exact form is not documented; Google's error shape with the reason is assumed. */
export function modelAccessDenied(model: string): SimAnswer {
  return { status: 403, body: googleError(403, `The caller does not have access to model ${model}`, 'PERMISSION_DENIED', 'MODEL_ACCESS_DENIED') };
}

/** 403 when the reCAPTCHA token was rejected outright after useapi's own retries (useapi's `captcha_quality:` prefix). */
export function captchaQuality(retries: number): SimAnswer {
  return useapiError(403, `captcha_quality: reCAPTCHA token was rejected by Google after ${retries} attempts with fresh tokens; increase captchaRetry`);
}

/** 503 of a Google outage, in Google's shape (the captcha provider's 503 is useapi's own string). */
export function googleUnavailable(): SimAnswer {
  return { status: 503, body: { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } } };
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
    headers: { 'retry-after': retryAfterSeconds(retryAt, Date.now()) },
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
  videoNotFound: (mediaId: string) => `Video ${mediaId} not found`,
  notExtendable: (model: string) => `Only Veo videos can be extended; this one was made with ${model}`,
  foreignImage: (mediaId: string, userPart: string) => `Unauthorized access to ${userPart} detected in reference ${mediaId}`,
} as const;
