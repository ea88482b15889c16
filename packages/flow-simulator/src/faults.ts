import type { ApiVersion } from './options';
import {
  captchaQuality,
  googleUnavailable,
  MESSAGES,
  modelAccessDenied,
  noEligibleAccount,
  resourceExhausted,
  useapiError,
  unsafeGeneration,
  type ExhaustedReason,
  type SimAnswer,
} from './upstream-errors';

/**
 * Answers a submit can be made to get, each named after what it imitates on useapi.net:
 * - `throttled`, `quota`, `model-quota`, `unusual-activity`: Google's 429 with reason
 *   PUBLIC_ERROR_USER_REQUESTS_THROTTLED, _USER_QUOTA_REACHED, _PER_MODEL_DAILY_QUOTA_REACHED,
 *   _UNUSUAL_ACTIVITY_TOO_MUCH_TRAFFIC (a captcha token scored low).
 * - `no-eligible-account`: useapi's own 429 when its balancer finds no account.
 * - `captcha-quality`: 403 `captcha_quality: ...`, the reCAPTCHA token rejected outright.
 * - `model-access-denied`: 403 MODEL_ACCESS_DENIED, the account's plan lacks the model.
 * - `foreign-asset`: 403, a reference image of another user.
 * - `account-missing`: 404, the account is gone upstream.
 * - `captcha-provider`: 503 `{ error: "Captcha service failed: ERROR_ZERO_BALANCE", code: 503 }`.
 * - `google-unavailable`: 503 in Google's shape (`UNAVAILABLE`).
 * - `unavailable`: 503 with a plain-text body, as a proxy in front of useapi would answer.
 * - `unsafe`: Google's content filter, 400 PUBLIC_ERROR_UNSAFE_GENERATION (on an upload: the image refused).
 * - `internal` 500, `timeout` 408, `session` 596.
 * - `connection-reset`: the call is taken and paid for as usual, then the connection is closed
 *   without an answer (a call that dies mid-way: the caller cannot know it was taken).
 */
export const SUBMIT_FAULT_KINDS = [
  'throttled',
  'quota',
  'model-quota',
  'unusual-activity',
  'no-eligible-account',
  'captcha-quality',
  'model-access-denied',
  'foreign-asset',
  'account-missing',
  'captcha-provider',
  'google-unavailable',
  'unavailable',
  'internal',
  'timeout',
  'session',
  'connection-reset',
  'unsafe',
] as const;
export type SubmitFaultKind = (typeof SUBMIT_FAULT_KINDS)[number];

/** The calls a fault can hit: `POST /videos`, `/images`, `/videos/upscale`, `/videos/extend`, `/assets/{email}`. */
export const SIM_ENDPOINTS = ['videos', 'images', 'upscale', 'extend', 'assets'] as const;
export type SimEndpoint = (typeof SIM_ENDPOINTS)[number];

export interface SubmitFault {
  kind: SubmitFaultKind;
  /** How many submits it answers. Default 1. */
  count?: number;
  /** Only submits that run on this account. Default: any. */
  email?: string;
  /** Only submits for this model (a video or image model id; what model-quota means). Default: any. */
  model?: string;
  /** Which call it answers. Default `videos`, so faults armed for video submits never hit images. */
  endpoint?: SimEndpoint;
  /**
   * When to try again, in seconds. On a 2026 429 it is the `Retry-After` header and the body's
   * `retryAfter` (defaults below); on a 503, a `Retry-After` header.
   */
  retryAfterSec?: number;
}

interface ArmedFault {
  fault: SubmitFault;
  remaining: number;
}

const GOOGLE_429: Partial<Record<SubmitFaultKind, ExhaustedReason>> = {
  throttled: 'PUBLIC_ERROR_USER_REQUESTS_THROTTLED',
  quota: 'PUBLIC_ERROR_USER_QUOTA_REACHED',
  'model-quota': 'PUBLIC_ERROR_PER_MODEL_DAILY_QUOTA_REACHED',
  'unusual-activity': 'PUBLIC_ERROR_UNUSUAL_ACTIVITY_TOO_MUCH_TRAFFIC',
};

/**
 * Retry-After of a 2026 429 when the fault names none. Not documented: the quota figure is
 * useapi's own quarantine (~30 min), the per-model quota lasts until the next UTC midnight, the
 * others are the "wait 5-10 s" of the videos page.
 */
export function defaultRetryAt(kind: SubmitFaultKind, now: number): Date {
  if (kind === 'quota') return new Date(now + 30 * 60_000);
  if (kind === 'model-quota') {
    const d = new Date(now);
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
  }
  if (kind === 'no-eligible-account') return new Date(now + 60_000);
  return new Date(now + 10_000);
}

export function faultAnswer(fault: SubmitFault, now: number, version: ApiVersion = '2026'): SimAnswer {
  const withRetryAfter = (answer: SimAnswer): SimAnswer =>
    fault.retryAfterSec === undefined ? answer : { ...answer, headers: { ...answer.headers, 'retry-after': String(fault.retryAfterSec) } };
  const retryAt = fault.retryAfterSec !== undefined ? new Date(now + fault.retryAfterSec * 1000) : defaultRetryAt(fault.kind, now);
  const reason = GOOGLE_429[fault.kind];
  if (reason) return resourceExhausted(reason, version === '2026' || fault.retryAfterSec !== undefined ? retryAt : undefined, now);
  switch (fault.kind) {
    case 'no-eligible-account':
      return noEligibleAccount(retryAt, []);
    case 'captcha-quality':
      return captchaQuality(3);
    case 'model-access-denied':
      return modelAccessDenied(fault.model ?? 'veo-3.1-fast');
    case 'foreign-asset':
      return { status: 403, body: { error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' } } };
    case 'account-missing':
      return useapiError(404, MESSAGES.accountNotFound(fault.email ?? 'the account'));
    case 'captcha-provider':
      return withRetryAfter({ status: 503, body: { error: MESSAGES.captcha, code: 503 } });
    case 'google-unavailable':
      return withRetryAfter(googleUnavailable());
    case 'unavailable':
      return withRetryAfter({ status: 503, body: 'Service Unavailable', headers: { 'content-type': 'text/plain; charset=utf-8' } });
    case 'internal':
      return { status: 500, body: { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } } };
    case 'timeout':
      return useapiError(408, MESSAGES.pollingTimeout);
    case 'unsafe':
      return unsafeGeneration();
    case 'session':
    default:
      return useapiError(596, MESSAGES.sessionRefresh);
  }
}

/** Faults armed for the next submits, oldest first. */
export class SubmitFaultQueue {
  private armed: ArmedFault[] = [];

  arm(fault: SubmitFault): void {
    const count = fault.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error(`fault count must be a positive integer, got ${count}`);
    this.armed.push({ fault: { ...fault }, remaining: count });
  }

  /** The fault the next call to `endpoint` on `email` for `model` would get, without using it up. */
  peek(email: string | undefined, model: string, endpoint: SimEndpoint = 'videos'): SubmitFault | undefined {
    return this.find(email, model, endpoint)?.fault;
  }

  take(email: string | undefined, model: string, endpoint: SimEndpoint = 'videos'): SubmitFault | undefined {
    const entry = this.find(email, model, endpoint);
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.armed = this.armed.filter((a) => a !== entry);
    return entry.fault;
  }

  pending(): Array<SubmitFault & { remaining: number }> {
    return this.armed.map((a) => ({ ...a.fault, remaining: a.remaining }));
  }

  clear(): void {
    this.armed = [];
  }

  private find(email: string | undefined, model: string, endpoint: SimEndpoint): ArmedFault | undefined {
    return this.armed.find(
      (a) =>
        (a.fault.endpoint ?? 'videos') === endpoint &&
        (a.fault.email === undefined || a.fault.email === email) &&
        (a.fault.model === undefined || a.fault.model === model),
    );
  }
}
