import { VIDEO_MODEL_IDS, VIDEO_MODELS } from '@flowq/core';
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
 * `GET /accounts/{email}`: the summary plus, when healthy, credits and models. The shape of
 * `models` is not documented; the simulator lists the model ids the account may use.
 */
export function accountDetails(account: SimAccount, now: number): Record<string, unknown> {
  const details = accountSummary(account, now);
  if (account.state === 'needs_reauth') return details;
  const paid = account.state !== 'no_credits';
  details.credits = {
    credits: paid ? account.credits : 0,
    userPaygateTier: paid ? PAYGATE_TIER[account.tier] : 'PAYGATE_TIER_NOT_PAID',
  };
  details.models = paid ? VIDEO_MODEL_IDS.filter((m) => !VIDEO_MODELS[m].ultraOnly || account.tier === 'ultra') : [];
  return details;
}
