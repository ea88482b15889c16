import type { VideoModel } from '@flowq/core';
import { MESSAGES, noEligibleAccount, resourceExhausted, useapiError, type SimAnswer } from './upstream-errors';

/**
 * Answers a submit can be made to get, as seen on useapi.net:
 * - `throttled`, `quota`, `model-quota`: Google's 429 with reason
 *   PUBLIC_ERROR_USER_REQUESTS_THROTTLED, _USER_QUOTA_REACHED, _PER_MODEL_DAILY_QUOTA_REACHED.
 * - `no-eligible-account`: useapi's own 429 when its balancer finds no account.
 * - `captcha`: 503 `{ error: "Captcha service failed: ERROR_ZERO_BALANCE", code: 503 }`.
 * - `unavailable`: 503 with a plain-text body, as a proxy in front of useapi would answer.
 * - `internal` 500, `forbidden` 403, `timeout` 408, `session` 596.
 */
export const SUBMIT_FAULT_KINDS = [
  'throttled',
  'quota',
  'model-quota',
  'no-eligible-account',
  'captcha',
  'unavailable',
  'internal',
  'forbidden',
  'timeout',
  'session',
] as const;
export type SubmitFaultKind = (typeof SUBMIT_FAULT_KINDS)[number];

export interface SubmitFault {
  kind: SubmitFaultKind;
  /** How many submits it answers. Default 1. */
  count?: number;
  /** Only submits that run on this account. Default: any. */
  email?: string;
  /** Only submits for this model (what model-quota means). Default: any. */
  model?: VideoModel;
  /** Adds a Retry-After header; for `no-eligible-account` also sets `retryAfter`. Default: none (60 s for no-eligible-account). */
  retryAfterSec?: number;
}

interface ArmedFault {
  fault: SubmitFault;
  remaining: number;
}

export function faultAnswer(fault: SubmitFault, now: number): SimAnswer {
  const withRetryAfter = (answer: SimAnswer): SimAnswer =>
    fault.retryAfterSec === undefined ? answer : { ...answer, headers: { ...answer.headers, 'retry-after': String(fault.retryAfterSec) } };
  switch (fault.kind) {
    case 'throttled':
      return resourceExhausted('PUBLIC_ERROR_USER_REQUESTS_THROTTLED', fault.retryAfterSec);
    case 'quota':
      return resourceExhausted('PUBLIC_ERROR_USER_QUOTA_REACHED', fault.retryAfterSec);
    case 'model-quota':
      return resourceExhausted('PUBLIC_ERROR_PER_MODEL_DAILY_QUOTA_REACHED', fault.retryAfterSec);
    case 'no-eligible-account':
      return noEligibleAccount(new Date(now + (fault.retryAfterSec ?? 60) * 1000), []);
    case 'captcha':
      return withRetryAfter({ status: 503, body: { error: MESSAGES.captcha, code: 503 } });
    case 'unavailable':
      return withRetryAfter({ status: 503, body: 'Service Unavailable', headers: { 'content-type': 'text/plain; charset=utf-8' } });
    case 'internal':
      return { status: 500, body: { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } } };
    case 'forbidden':
      return { status: 403, body: { error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED' } } };
    case 'timeout':
      return useapiError(408, MESSAGES.pollingTimeout);
    case 'session':
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

  /** The fault the next submit on `email` for `model` would get, without using it up. */
  peek(email: string | undefined, model: VideoModel): SubmitFault | undefined {
    return this.find(email, model)?.fault;
  }

  take(email: string | undefined, model: VideoModel): SubmitFault | undefined {
    const entry = this.find(email, model);
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

  private find(email: string | undefined, model: VideoModel): ArmedFault | undefined {
    return this.armed.find((a) => (a.fault.email === undefined || a.fault.email === email) && (a.fault.model === undefined || a.fault.model === model));
  }
}
