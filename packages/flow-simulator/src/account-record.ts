import { creditsFor, specOf, DEFAULT_DURATION, type VideoModel } from '@flowq/core';
import type { ApiVersion } from './options';
import type { SimAccount } from './accounts';
import { MESSAGES } from './upstream-errors';

const HOUR = 60 * 60 * 1000;

/** Google's names of the subscription tiers, as Flow reports them. */
const PAYGATE_TIER = { ultra: 'PAYGATE_TIER_TWO', pro: 'PAYGATE_TIER_ONE' } as const;

/** An entry of `GET /accounts`: the session is refreshed hourly from the time the account was added. */
export function accountSummary(account: SimAccount, now: number): Record<string, unknown> {
  const nextRefresh = account.created + (Math.floor((now - account.created) / HOUR) + 1) * HOUR;
  const summary: Record<string, unknown> = {
    health: account.state === 'needs_reauth' ? MESSAGES.sessionRefresh : 'OK',
    created: new Date(account.created).toISOString(),
    sessionData: { expires: new Date(nextRefresh + HOUR).toISOString() },
    nextRefresh: { scheduledFor: new Date(nextRefresh).toISOString() },
  };
  if (account.state === 'needs_reauth') summary.error = MESSAGES.sessionRefresh;
  return summary;
}

/**
 * One entry of `models.videoModels[]` (2026). The notes list the keys but not their values:
 * `key` is taken to be useapi's model id, `creditCost` the cost of a default clip on the account's tier.
 */
function videoModelEntry(model: VideoModel, account: SimAccount): Record<string, unknown> {
  const spec = specOf(model);
  return {
    key: model,
    displayName: model,
    supportedAspectRatios: spec.aspectRatios,
    capabilities: [...(spec.frames ? ['I2V', 'I2V_FL'] : []), 'T2V', ...(spec.referenceImages > 0 ? ['R2V'] : [])],
    videoLengthSeconds: DEFAULT_DURATION,
    videoGenerationTimeSeconds: 90,
    creditCost: creditsFor({ model }, account.tier),
    framesPerSecond: 24,
    paygateTier: PAYGATE_TIER[spec.tiers.includes('pro') ? 'pro' : 'ultra'],
    accessType: spec.lowPriority ? 'LOW_PRIORITY' : 'STANDARD',
  };
}

/**
 * `GET /accounts/{email}`: the summary plus, when healthy, credits and the video models the
 * account may run: `models.videoModels[]` in 2026, a plain list of ids in the 2025 simulator.
 */
export function accountDetails(account: SimAccount, now: number, version: ApiVersion = '2026'): Record<string, unknown> {
  const details = accountSummary(account, now);
  if (account.state === 'needs_reauth') return details;
  const paid = account.state !== 'no_credits';
  details.credits = {
    credits: paid ? account.credits : 0,
    userPaygateTier: paid ? PAYGATE_TIER[account.tier] : 'PAYGATE_TIER_NOT_PAID',
  };
  const models = paid ? account.models : [];
  details.models = version === '2026' ? { videoModels: models.map((m) => videoModelEntry(m, account)) } : [...models];
  return details;
}
