import type { JobErrorCode } from '@flowq/core';
import type { UpstreamAnswer, UpstreamError } from './upstream-answer';
import type { UpstreamOperation } from './useapi-client';
import { nextUtcMidnight } from './utc-midnight';

export const REASON_THROTTLED = 'PUBLIC_ERROR_USER_REQUESTS_THROTTLED';
export const REASON_QUOTA_REACHED = 'PUBLIC_ERROR_USER_QUOTA_REACHED';
export const REASON_MODEL_QUOTA_REACHED = 'PUBLIC_ERROR_PER_MODEL_DAILY_QUOTA_REACHED';
export const REASON_UNUSUAL_ACTIVITY = 'PUBLIC_ERROR_UNUSUAL_ACTIVITY_TOO_MUCH_TRAFFIC';
export const REASON_NO_ELIGIBLE_ACCOUNT = 'no_eligible_account';
export const REASON_MODEL_ACCESS_DENIED = 'MODEL_ACCESS_DENIED';

/**
 * Why a retry without an account change waits:
 * - `capacity`: a Google outage or overload (503 in Google's shape, or a bare 503);
 * - `captcha_provider`: the captcha solver failed (useapi's `Captcha service failed: ...` 503),
 *   which needs a person to top it up, not Google to recover;
 * - `low_score`: 429 UNUSUAL_ACTIVITY, the captcha token scored low; a plain retry;
 * - `transient_error`: 5xx, network, a bad response: the only kind that burns an attempt.
 */
export type RetryKind = 'capacity' | 'captcha_provider' | 'low_score' | 'transient_error';

/**
 * What flowq does about one upstream answer. Every variant but `success` carries a `message`
 * fit for a job's error record. docs/upstream-answers.md has the same list for people.
 * - `retry_soon`: try again after `delayMs`, on any account (see RetryKind).
 * - `retry_other_account`: the account is throttled; move the job elsewhere and count the 429
 *   against the account (it ranks last meanwhile); `accountUntil` is the server's Retry-After,
 *   when it gave one: a cool-off the throttles bring about lasts at least until then.
 * - `captcha_rejected` (403 `captcha_quality:`): the token was refused outright; move the job
 *   (another account preferred), count it in the account's health, never fail the job for it.
 * - `model_denied` (403 MODEL_ACCESS_DENIED): the account cannot run `model`; remember that and
 *   move the job; it fails only when no account can run the model.
 * - `account_missing` (404 on a submit): the account is gone upstream; it leaves the pool, the job moves.
 * - `upstream_lost` (404 or 410 on a poll): useapi forgot the job; the generation is lost, submit again.
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
  | { type: 'retry_soon'; kind: RetryKind; delayMs: number; countsAgainstAccount: false; message: string }
  | { type: 'retry_other_account'; delayMs: number; countsAgainstAccount: true; reason: string; message: string; accountUntil?: Date }
  | { type: 'captcha_rejected'; delayMs: number; message: string }
  | { type: 'model_denied'; model: string | null; message: string }
  | { type: 'account_missing'; message: string }
  | { type: 'upstream_lost'; delayMs: number; message: string }
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
  /** The request's model, named in `model_quota` and `model_denied` outcomes. */
  model?: string;
  /** The call that answered: a 404 on `getJob` means the job is gone, elsewhere that the account is. */
  operation?: UpstreamOperation;
  /** A source in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
}

/**
 * How long useapi keeps an account out after each 429 reason when the answer gives no
 * Retry-After. Defaults: useapi's documented quarantines (get-google-flow-jobs, June 2026).
 */
export interface QuarantinePolicy {
  /** PUBLIC_ERROR_USER_QUOTA_REACHED: "about 30 min" (the May 2026 page said next UTC midnight). */
  quotaReachedMs: number;
  /** PUBLIC_ERROR_PER_MODEL_DAILY_QUOTA_REACHED: until the next UTC midnight, or this many ms when set. */
  modelQuotaMs: number | null;
}

export interface ClassifyPolicy {
  /** The docs' "wait 5-10 seconds" for 429 and 503, jittered so retries do not arrive together. */
  retryDelayMs: { min: number; max: number };
  /** How long to hold a job when useapi has no eligible account and gives no `retryAfter`. */
  noEligibleAccountWaitMs: number;
  quarantine: QuarantinePolicy;
}

export const DEFAULT_QUARANTINE: QuarantinePolicy = { quotaReachedMs: 30 * 60_000, modelQuotaMs: null };

export const DEFAULT_CLASSIFY_POLICY: ClassifyPolicy = {
  retryDelayMs: { min: 5_000, max: 10_000 },
  noEligibleAccountWaitMs: 10_000,
  quarantine: DEFAULT_QUARANTINE,
};

// Google's content filters show up as 400s with reasons like PUBLIC_ERROR_UNSAFE_GENERATION,
// PUBLIC_ERROR_PROMINENT_PEOPLE_..., PUBLIC_ERROR_MINOR_...; all of them fail the same prompt again.
const CONTENT_POLICY_REASON = /UNSAFE|POLICY|SAFETY|PROHIBITED|FILTER|PROMINENT_PEOPLE|MINOR|SEXUAL|VIOLEN|CHILD|HARM/i;
const CONTENT_POLICY_TEXT = /content policy|unsafe|safety filter|violat/i;
// useapi's own prefix for a reCAPTCHA token Google refused outright (images-upscale page, Feb 2026).
const CAPTCHA_QUALITY = /captcha_quality/i;
// "Captcha service failed: ERROR_ZERO_BALANCE" and kin: the solver, not Google.
const CAPTCHA_PROVIDER = /captcha/i;

/** Where a 403 comes from: the captcha, the plan, or an asset of another user (the 2025 meaning). */
function forbiddenKind(error: UpstreamError): 'captcha_quality' | 'model_access' | 'foreign_asset' {
  if (CAPTCHA_QUALITY.test(error.message)) return 'captcha_quality';
  if (error.reason === REASON_MODEL_ACCESS_DENIED || error.message.includes(REASON_MODEL_ACCESS_DENIED)) return 'model_access';
  return 'foreign_asset';
}

export function classifyAnswer(
  answer: UpstreamAnswer<unknown>,
  ctx: ClassifyContext,
  policy: Partial<Omit<ClassifyPolicy, 'quarantine'>> & { quarantine?: Partial<QuarantinePolicy> } = {},
): UpstreamOutcome {
  if (answer.ok) return { type: 'success' };
  const p = { ...DEFAULT_CLASSIFY_POLICY, ...policy, quarantine: { ...DEFAULT_QUARANTINE, ...policy.quarantine } };
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
      switch (forbiddenKind(error)) {
        case 'captcha_quality':
          return { type: 'captcha_rejected', delayMs: delayHonouring(error.retryAfter), message };
        case 'model_access':
          return { type: 'model_denied', model: ctx.model ?? null, message };
        case 'foreign_asset':
          return { type: 'permanent', code: 'forbidden_asset', message };
      }
      break;
    case 404:
      // On a poll the job is unknown (lost); on a submit or an upload the account is.
      if (ctx.operation === 'getJob') return { type: 'upstream_lost', delayMs: jitter(), message };
      return { type: 'account_missing', message };
    case 408:
      return { type: 'timeout', code: 'upstream_timeout', delayMs: jitter(), message };
    case 410:
      return { type: 'upstream_lost', delayMs: jitter(), message };
    case 429:
      return classify429(error.reason, error.retryAfter, message, ctx, p, delayHonouring);
    case 503: {
      // A Google outage and a failed captcha solver both say "wait"; only the solver needs a person.
      const kind: RetryKind = error.googleStatus === undefined && CAPTCHA_PROVIDER.test(message) ? 'captcha_provider' : 'capacity';
      return { type: 'retry_soon', kind, delayMs: delayHonouring(error.retryAfter), countsAgainstAccount: false, message };
    }
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
  const q = p.quarantine;
  // A Retry-After in the future is the server's own word on the quarantine and wins.
  const hinted = retryAfter !== undefined && retryAfter.getTime() > now ? retryAfter : undefined;
  switch (reason) {
    case REASON_QUOTA_REACHED:
      return { type: 'cool_off', until: hinted ?? new Date(now + q.quotaReachedMs), reason, message };
    case REASON_MODEL_QUOTA_REACHED: {
      const until = hinted ?? (q.modelQuotaMs === null ? nextUtcMidnight(ctx.now) : new Date(now + q.modelQuotaMs));
      return { type: 'model_quota', model: ctx.model ?? null, until, reason, message };
    }
    case REASON_UNUSUAL_ACTIVITY:
      // The captcha token scored low: nothing wrong with the account; try again, no cool-off.
      return { type: 'retry_soon', kind: 'low_score', delayMs: delayHonouring(retryAfter), countsAgainstAccount: false, message };
    case REASON_NO_ELIGIBLE_ACCOUNT: {
      const until = retryAfter ?? new Date(now + p.noEligibleAccountWaitMs);
      return { type: 'wait_until', until: new Date(Math.max(until.getTime(), now + p.retryDelayMs.min)), message };
    }
    case REASON_THROTTLED: {
      // The job moves at once; the Retry-After says how long this account stays out.
      const outcome: UpstreamOutcome = { type: 'retry_other_account', delayMs: jitterOnly(p, ctx), countsAgainstAccount: true, reason, message };
      return hinted ? { ...outcome, accountUntil: hinted } : outcome;
    }
  }
  if (retryAfter !== undefined) {
    return { type: 'wait_until', until: new Date(Math.max(retryAfter.getTime(), now + p.retryDelayMs.min)), message };
  }
  // An unknown 429 is read as the docs read every 429: throttled, wait 5-10 s, cool off if it persists.
  return { type: 'retry_other_account', delayMs: delayHonouring(undefined), countsAgainstAccount: true, reason: reason ?? 'unknown', message };
}

function jitterOnly(p: ClassifyPolicy, ctx: ClassifyContext): number {
  const random = ctx.random ?? Math.random;
  return Math.floor(p.retryDelayMs.min + random() * (p.retryDelayMs.max - p.retryDelayMs.min));
}
