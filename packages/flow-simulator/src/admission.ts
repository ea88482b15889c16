import { creditsFor, type VideoModel } from '@flowq/core';
import type { ApiVersion, AccountState, AccountTier, PromptMarkers } from './options';
import type { VideoSubmit } from './validation';
import { tierViolation } from './validation';
import { faultAnswer, type SubmitFault } from './faults';
import { defaultRetryAt } from './faults';
import { MESSAGES, modelAccessDenied, resourceExhausted, unsafeGeneration, useapiError, type SimAnswer } from './upstream-errors';

export type RejectCause = 'session' | 'subscription' | 'model-access' | 'tier' | 'injected' | 'content-policy' | 'concurrency' | 'credits';

export type Admission = { ok: true; cost: number } | { ok: false; answer: SimAnswer; cause: RejectCause };

export interface AdmissionInput {
  request: VideoSubmit;
  account: { state: AccountState; tier: AccountTier; models: readonly VideoModel[]; credits: number; executing: number; maxConcurrent: number };
  /** The armed fault that matches this submit, if any; the caller uses it up when the cause is `injected`. */
  fault: SubmitFault | undefined;
  markers: PromptMarkers;
  now: number;
  /** Default 2026. */
  version?: ApiVersion;
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
  const version = input.version ?? '2026';
  if (!account.models.includes(request.model)) return { ok: false, answer: modelAccessDenied(request.model), cause: 'model-access' };
  const tier = tierViolation(request, account.tier);
  if (tier !== null) return { ok: false, answer: useapiError(400, tier), cause: 'tier' };
  if (input.fault) return { ok: false, answer: faultAnswer(input.fault, input.now, version), cause: 'injected' };
  if (request.prompt.includes(input.markers.unsafe)) return { ok: false, answer: unsafeGeneration(), cause: 'content-policy' };
  if (account.executing + 1 > account.maxConcurrent) {
    const retryAt = version === '2026' ? defaultRetryAt('throttled', input.now) : undefined;
    return { ok: false, answer: resourceExhausted('PUBLIC_ERROR_USER_REQUESTS_THROTTLED', retryAt, input.now), cause: 'concurrency' };
  }
  const cost = creditsFor(request, account.tier);
  if (account.credits <= 0 || account.credits < cost) {
    const message = account.credits <= 0 ? MESSAGES.noSubscription : MESSAGES.insufficientCredits(account.credits, cost);
    return { ok: false, answer: useapiError(402, message), cause: 'credits' };
  }
  return { ok: true, cost };
}
