import { isVideoModel, tiersFor, type AccountTier, type Duration } from '@flowq/core';

/** What an account says about the models it may run. */
export interface ModelAccess {
  tier: AccountTier;
  /** The models useapi lists for the account (`GET /accounts/{email}`); null until a sync read them. */
  videoModels: readonly string[] | null;
  /** Models it refused with 403 MODEL_ACCESS_DENIED. */
  deniedModels: Readonly<Record<string, unknown>>;
}

/** What a job asks of an account's plan. */
export interface ModelNeed {
  model: string;
  duration?: Duration | undefined;
}

/**
 * Why an account can never run a job, or null when it may. Order: the catalog's tiers (an
 * Ultra-only model, a 4 or 6 s Veo clip), then useapi's list of the account's models, then the
 * refusals the account itself answered (which win over a list that says otherwise).
 */
export type ModelRefusal = 'unknown_model' | 'tier' | 'not_listed' | 'denied';

export function modelRefusal(account: ModelAccess, need: ModelNeed): ModelRefusal | null {
  if (!isVideoModel(need.model)) return 'unknown_model';
  if (!tiersFor({ model: need.model, duration: need.duration }).includes(account.tier)) return 'tier';
  if (account.videoModels !== null && !account.videoModels.includes(need.model)) return 'not_listed';
  if (Object.hasOwn(account.deniedModels, need.model)) return 'denied';
  return null;
}
