import type { AccountChangeDecision, AccountPatch, AccountRow, NewAccount } from '@flowq/db';
import type { UpstreamAccount } from '@flowq/useapi-client';

/** Stored reasons are for people; a health text longer than this is cut. */
const MAX_REASON = 500;

/**
 * Flow's `userPaygateTier` as our tier. Google names the plans `PAYGATE_TIER_ONE` (Pro) and
 * `PAYGATE_TIER_TWO` (Ultra); plain `ULTRA` / `PRO` names are read too. Anything else
 * (`PAYGATE_TIER_NOT_PAID`, absent) says nothing about the tier: null, keep what we have.
 */
export function tierOfPaygate(paygate: string | undefined): 'ultra' | 'pro' | null {
  if (!paygate) return null;
  const t = paygate.toUpperCase();
  if (t.includes('ULTRA') || t.includes('TIER_TWO')) return 'ultra';
  if (t.includes('PRO') || t.includes('TIER_ONE')) return 'pro';
  return null;
}

function healthReason(u: UpstreamAccount): string {
  const text = u.health || u.error || 'unhealthy';
  return (text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text).trim();
}

/** The model ids an account may run, as `GET /accounts/{email}` lists them; null when it did not say. */
function videoModelsOf(u: UpstreamAccount): string[] | null {
  return u.videoModels ? [...new Set(u.videoModels.map((m) => m.key))].sort() : null;
}

/** An account useapi has and flowq does not: added, in `needs_reauth` when useapi says it is unhealthy. */
export function accountToAdd(u: UpstreamAccount): NewAccount {
  return {
    email: u.email.toLowerCase(),
    tier: tierOfPaygate(u.credits?.userPaygateTier) ?? 'pro',
    remainingCredits: u.credits?.credits ?? null,
    videoModels: videoModelsOf(u),
    ...(u.healthy ? {} : { state: 'needs_reauth' as const, stateReason: healthReason(u) }),
  };
}

/** An account flowq has and useapi's list does not: it leaves the pool as `missing` (a hand-set `disabled` stays). */
export function missingDecision(current: AccountRow): AccountChangeDecision {
  if (current.state === 'missing' || current.state === 'disabled') return null;
  return {
    set: { state: 'missing', stateReason: 'not at useapi (absent from GET /accounts)', coolingUntil: null },
    event: { kind: 'state_changed', reason: 'sync: not at useapi' },
  };
}

/**
 * What useapi's view of an account changes in ours: an unhealthy session means
 * `needs_reauth` (a hand-set `disabled` stays), credits and tier follow useapi. A healthy
 * answer does not bring a `needs_reauth` account back: a person re-adds it.
 */
export function syncDecision(current: AccountRow, u: UpstreamAccount): AccountChangeDecision {
  const set: AccountPatch = {};
  const changes: string[] = [];
  if (!u.healthy && current.state !== 'needs_reauth' && current.state !== 'disabled') {
    set.state = 'needs_reauth';
    set.stateReason = healthReason(u);
    set.coolingUntil = null;
    changes.push(`useapi health: ${set.stateReason}`);
  } else if (u.healthy && current.state === 'missing') {
    set.state = 'active';
    set.stateReason = null;
    changes.push('found at useapi again');
  }
  const credits = u.credits?.credits;
  if (credits !== undefined && credits !== current.remainingCredits) {
    set.remainingCredits = credits;
    changes.push(`credits ${current.remainingCredits ?? 'unknown'} -> ${credits}`);
  }
  const tier = tierOfPaygate(u.credits?.userPaygateTier);
  if (tier !== null && tier !== current.tier) {
    set.tier = tier;
    changes.push(`tier ${current.tier} -> ${tier}`);
    // A new plan may grant what the old one refused.
    if (Object.keys(current.deniedModels).length > 0) set.deniedModels = {};
  }
  const models = videoModelsOf(u);
  if (models !== null && models.join(',') !== (current.videoModels ?? []).join(',')) {
    set.videoModels = models;
    changes.push(`models ${current.videoModels?.join(' ') ?? 'unknown'} -> ${models.join(' ') || 'none'}`);
  }
  if (changes.length === 0) return null;
  return { set, event: { kind: set.state ? 'state_changed' : 'synced', reason: `sync: ${changes.join('; ')}` } };
}
