import type { JobErrorCode } from '@flowq/core';
import type { UpstreamAnswer } from './upstream-answer';
import type { UpstreamOperation } from './useapi-client';
import { nextUtcMidnight } from './utc-midnight';

export const REASON_THROTTLED = 'PUBLIC_ERROR_USER_REQUESTS_THROTTLED';
export const REASON_QUOTA_REACHED = 'PUBLIC_ERROR_USER_QUOTA_REACHED';
export const REASON_MODEL_QUOTA_REACHED = 'PUBLIC_ERROR_PER_MODEL_DAILY_QUOTA_REACHED';
export const REASON_NO_ELIGIBLE_ACCOUNT = 'no_eligible_account';

/**
 * What flowq does about one upstream answer. Every variant but `success` carries a `message`
 * fit for a job's error record.
 * - `retry_soon`: try again after `delayMs`, on any account. `capacity` (503) waits do not burn an
 *   attempt; `transient_error` (5xx, network, bad response) does.
 * - `retry_other_account`: the account is throttled; move the job elsewhere and count the 429
 *   against the account (the caller decides when repeated 429s become a cool-off).
 * - `cool_off`: the account is out of quota until `until`.
 * - `model_quota`: the account may not use `model` until `until`; other models still work.
 * - `wait_until`: useapi has no account to give; hold the job until `until`.
 * - `needs_reauth` (596): a person must re-add the account. `no_credits` (402): the account's
 *   subscription or credits are gone. `token_invalid` (401): the useapi token is bad; stop everything.
 * - `permanent`: fail the job with `code`; trying again cannot help.
 * - `timeout` (408): useapi gave up polling Google; retry, burning an attempt.
 */
export type UpstreamOutcome =
  | { type: 'success' }
  | { type: 'retry_soon'; kind: 'capacity' | 'transient_error'; delayMs: number; countsAgainstAccount: false; message: string }
  | { type: 'retry_other_account'; delayMs: number; countsAgainstAccount: true; reason: string; message: string }
  | { type: 'cool_off'; until: Date; reason: string; message: string }
  | { type: 'model_quota'; model: string | null; until: Date; reason: string; message: string }
  | { type: 'wait_until'; until: Date; message: string }
  | { type: 'needs_reauth'; message: string }
  | { type: 'no_credits'; message: string }
  | { type: 'token_invalid'; message: string }
  | { type: 'permanent'; code: JobErrorCode; message: string }
  | { type: 'timeout'; code: 'upstream_timeout'; delayMs: number; message: string };

export type UpstreamOutcomeType = UpstreamOutcome['type'];

export interface ClassifyContext {
  now: Date;
  /** The request's model, named in a `model_quota` outcome. */
  model?: string;
  /** The call that answered: a 404 on `getJob` means the job is gone, elsewhere that the account is. */
  operation?: UpstreamOperation;
  /** A source in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
}

export interface ClassifyPolicy {
  /** The docs' "wait 5-10 seconds" for 429 and 503, jittered so retries do not arrive together. */
  retryDelayMs: { min: number; max: number };
  /** How long to hold a job when useapi has no eligible account and gives no `retryAfter`. */
  noEligibleAccountWaitMs: number;
}

export const DEFAULT_CLASSIFY_POLICY: ClassifyPolicy = {
  retryDelayMs: { min: 5_000, max: 10_000 },
  noEligibleAccountWaitMs: 10_000,
};

// Google's content filters show up as 400s with reasons like PUBLIC_ERROR_UNSAFE_GENERATION,
// PUBLIC_ERROR_PROMINENT_PEOPLE_..., PUBLIC_ERROR_MINOR_...; all of them fail the same prompt again.
const CONTENT_POLICY_REASON = /UNSAFE|POLICY|SAFETY|PROHIBITED|FILTER|PROMINENT_PEOPLE|MINOR|SEXUAL|VIOLEN|CHILD|HARM/i;
const CONTENT_POLICY_TEXT = /content policy|unsafe|safety filter|violat/i;

export function classifyAnswer(answer: UpstreamAnswer<unknown>, ctx: ClassifyContext, policy: Partial<ClassifyPolicy> = {}): UpstreamOutcome {
  if (answer.ok) return { type: 'success' };
  const p = { ...DEFAULT_CLASSIFY_POLICY, ...policy };
  const random = ctx.random ?? Math.random;
  const { error, status } = answer;
  const message = error.message;
  const now = ctx.now.getTime();
  const jitter = () => Math.floor(p.retryDelayMs.min + random() * (p.retryDelayMs.max - p.retryDelayMs.min));
  // A server hint longer than our jitter wins; a hint in the past never makes us hammer.
  const delayHonouring = (retryAfter: Date | undefined) => Math.max(jitter(), retryAfter ? retryAfter.getTime() - now : 0);
  const transient = (): UpstreamOutcome => ({ type: 'retry_soon', kind: 'transient_error', delayMs: jitter(), countsAgainstAccount: false, message });

  if (error.kind !== 'http') return transient();

  switch (status) {
    case 400: {
      const policyHit = error.reason !== undefined ? CONTENT_POLICY_REASON.test(error.reason) : CONTENT_POLICY_TEXT.test(message);
      return { type: 'permanent', code: policyHit ? 'content_policy' : 'invalid_request', message };
    }
    case 401:
      return { type: 'token_invalid', message };
    case 402:
      return { type: 'no_credits', message };
    case 403:
      return { type: 'permanent', code: 'forbidden_asset', message };
    case 404:
      return { type: 'permanent', code: ctx.operation === 'getJob' ? 'upstream_expired' : 'account_not_found', message };
    case 408:
      return { type: 'timeout', code: 'upstream_timeout', delayMs: jitter(), message };
    case 410:
      return { type: 'permanent', code: 'upstream_expired', message };
    case 429:
      return classify429(error.reason, error.retryAfter, message, ctx, p, delayHonouring);
    case 503:
      // Capacity, a Google outage or the captcha provider: all "wait 5-10 s", none the job's fault.
      return { type: 'retry_soon', kind: 'capacity', delayMs: delayHonouring(error.retryAfter), countsAgainstAccount: false, message };
    case 596:
      return { type: 'needs_reauth', message };
  }
  if (status >= 400 && status < 500) return { type: 'permanent', code: 'invalid_request', message };
  return transient();
}

function classify429(
  reason: string | undefined,
  retryAfter: Date | undefined,
  message: string,
  ctx: ClassifyContext,
  p: ClassifyPolicy,
  delayHonouring: (retryAfter: Date | undefined) => number,
): UpstreamOutcome {
  const now = ctx.now.getTime();
  switch (reason) {
    case REASON_QUOTA_REACHED:
      return { type: 'cool_off', until: nextUtcMidnight(ctx.now), reason, message };
    case REASON_MODEL_QUOTA_REACHED:
      return { type: 'model_quota', model: ctx.model ?? null, until: nextUtcMidnight(ctx.now), reason, message };
    case REASON_NO_ELIGIBLE_ACCOUNT: {
      const until = retryAfter ?? new Date(now + p.noEligibleAccountWaitMs);
      return { type: 'wait_until', until: new Date(Math.max(until.getTime(), now + p.retryDelayMs.min)), message };
    }
    case REASON_THROTTLED:
      return { type: 'retry_other_account', delayMs: delayHonouring(retryAfter), countsAgainstAccount: true, reason, message };
  }
  if (retryAfter !== undefined) {
    return { type: 'wait_until', until: new Date(Math.max(retryAfter.getTime(), now + p.retryDelayMs.min)), message };
  }
  // An unknown 429 is read as the docs read every 429: throttled, wait 5-10 s, cool off if it persists.
  return { type: 'retry_other_account', delayMs: delayHonouring(undefined), countsAgainstAccount: true, reason: reason ?? 'unknown', message };
}
