import { creditsFor } from '@flowq/core';
import type { AccountState, AccountTier, PromptMarkers } from './options';
import type { VideoSubmit } from './validation';
import { tierViolation } from './validation';
import { faultAnswer, type SubmitFault } from './faults';
import { MESSAGES, resourceExhausted, unsafeGeneration, useapiError, type SimAnswer } from './upstream-errors';

export type RejectCause = 'session' | 'subscription' | 'tier' | 'injected' | 'content-policy' | 'concurrency' | 'credits';

export type Admission = { ok: true; cost: number } | { ok: false; answer: SimAnswer; cause: RejectCause };

export interface AdmissionInput {
  request: VideoSubmit;
  account: { state: AccountState; tier: AccountTier; credits: number; executing: number; maxConcurrent: number };
  /** The armed fault that matches this submit, if any; the caller uses it up when the cause is `injected`. */
  fault: SubmitFault | undefined;
  markers: PromptMarkers;
  now: number;
}

/**
 * Whether a well-formed submit on a known account is taken, and if not, what it answers.
 * The order mirrors where each check lives upstream: useapi's account state first, then its
 * request rules, then whatever Google answers (injected faults, policy, throttling, credits).
 */
export function admit(input: AdmissionInput): Admission {
  const { request, account } = input;
  if (account.state === 'needs_reauth') return { ok: false, answer: useapiError(596, MESSAGES.sessionRefresh), cause: 'session' };
  if (account.state === 'no_credits') return { ok: false, answer: useapiError(402, MESSAGES.noSubscription), cause: 'subscription' };
  const tier = tierViolation(request.model, account.tier);
  if (tier !== null) return { ok: false, answer: useapiError(400, tier), cause: 'tier' };
  if (input.fault) return { ok: false, answer: faultAnswer(input.fault, input.now), cause: 'injected' };
  if (request.prompt.includes(input.markers.unsafe)) return { ok: false, answer: unsafeGeneration(), cause: 'content-policy' };
  if (account.executing + 1 > account.maxConcurrent) {
    return { ok: false, answer: resourceExhausted('PUBLIC_ERROR_USER_REQUESTS_THROTTLED'), cause: 'concurrency' };
  }
  const cost = creditsFor(request.model, request.count);
  if (account.credits <= 0 || account.credits < cost) {
    const message = account.credits <= 0 ? MESSAGES.noSubscription : MESSAGES.insufficientCredits(account.credits, cost);
    return { ok: false, answer: useapiError(402, message), cause: 'credits' };
  }
  return { ok: true, cost };
}
