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

export interface ImageAdmissionInput {
  prompt: string;
  account: { state: AccountState; imagesExecuting: number; maxConcurrentImages: number };
  fault: SubmitFault | undefined;
  markers: PromptMarkers;
  now: number;
  version?: ApiVersion;
}

/**
 * `POST /images` on a known account: free accounts work too (0 credits), so only a broken
 * session refuses; then faults, policy, and the account's own image concurrency.
 */
export function admitImage(input: ImageAdmissionInput): Admission {
  const { account } = input;
  if (account.state === 'needs_reauth') return { ok: false, answer: useapiError(596, MESSAGES.sessionRefresh), cause: 'session' };
  if (input.fault) return { ok: false, answer: faultAnswer(input.fault, input.now, input.version ?? '2026'), cause: 'injected' };
  if (input.prompt.includes(input.markers.unsafe)) return { ok: false, answer: unsafeGeneration(), cause: 'content-policy' };
  if (account.imagesExecuting + 1 > account.maxConcurrentImages) {
    const retryAt = (input.version ?? '2026') === '2026' ? defaultRetryAt('throttled', input.now) : undefined;
    return { ok: false, answer: resourceExhausted('PUBLIC_ERROR_USER_REQUESTS_THROTTLED', retryAt, input.now), cause: 'concurrency' };
  }
  return { ok: true, cost: 0 };
}

export interface EditAdmissionInput {
  /** The prompt of an extend; none for an upscale. */
  prompt?: string;
  /** The model an extend runs; none for an upscale. */
  model?: VideoModel;
  tiers: readonly AccountTier[];
  cost: number;
  account: { state: AccountState; tier: AccountTier; models: readonly VideoModel[]; credits: number; executing: number; maxConcurrent: number };
  fault: SubmitFault | undefined;
  markers: PromptMarkers;
  now: number;
  version?: ApiVersion;
}

export const ULTRA_ONLY_UPSCALE = '4K upscale is only available for Google AI Ultra subscriptions';

/**
 * Upscale or extend of a video the account owns: like a video submit (they take a video slot
 * upstream), plus the plan rule (4K on Ultra only). The 4K refusal's status is not documented;
 * 403 is assumed, as for any feature the plan lacks.
 */
export function admitEdit(input: EditAdmissionInput): Admission {
  const { account } = input;
  const version = input.version ?? '2026';
  if (account.state === 'needs_reauth') return { ok: false, answer: useapiError(596, MESSAGES.sessionRefresh), cause: 'session' };
  if (account.state === 'no_credits') return { ok: false, answer: useapiError(402, MESSAGES.noSubscription), cause: 'subscription' };
  if (input.model !== undefined && !account.models.includes(input.model)) return { ok: false, answer: modelAccessDenied(input.model), cause: 'model-access' };
  if (!input.tiers.includes(account.tier)) return { ok: false, answer: useapiError(403, ULTRA_ONLY_UPSCALE), cause: 'tier' };
  if (input.fault) return { ok: false, answer: faultAnswer(input.fault, input.now, version), cause: 'injected' };
  if (input.prompt?.includes(input.markers.unsafe)) return { ok: false, answer: unsafeGeneration(), cause: 'content-policy' };
  if (account.executing + 1 > account.maxConcurrent) {
    const retryAt = version === '2026' ? defaultRetryAt('throttled', input.now) : undefined;
    return { ok: false, answer: resourceExhausted('PUBLIC_ERROR_USER_REQUESTS_THROTTLED', retryAt, input.now), cause: 'concurrency' };
  }
  if (input.cost > 0 && account.credits < input.cost) {
    return { ok: false, answer: useapiError(402, MESSAGES.insufficientCredits(account.credits, input.cost)), cause: 'credits' };
  }
  return { ok: true, cost: input.cost };
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
