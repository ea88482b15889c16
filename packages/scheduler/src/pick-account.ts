import { accountOfMediaId, hash32, isVideoModel, type Duration } from '@flowq/core';
import { modelRefusal } from './model-eligibility';

export type AccountTier = 'ultra' | 'pro';
export type AccountState = 'active' | 'cooling' | 'needs_reauth' | 'no_credits' | 'disabled' | 'missing';

/** What the scheduler knows of one account at the moment of choosing. */
export interface AccountSnapshot {
  email: string;
  tier: AccountTier;
  /** Switched off by an operator. */
  enabled: boolean;
  state: AccountState;
  coolingUntil: Date | null;
  /** Finishing its running jobs before being taken out of service; takes no new ones. */
  draining: boolean;
  running: number;
  maxConcurrent: number;
  submittedLastMinute: number;
  maxPerMinute: number;
  /** Per-model daily quota reached (PER_MODEL_DAILY_QUOTA_REACHED) until the given time. */
  modelQuotaUntil: Partial<Record<string, Date>>;
  /** Outcomes over the last 15 minutes. */
  recent: { succeeded: number; failed: number; throttled: number };
  /** The models useapi lists for the account; null (or absent) until a sync read them: the catalog's tiers decide alone. */
  videoModels?: readonly string[] | null;
  /** Models the account refused with 403 MODEL_ACCESS_DENIED. */
  deniedModels?: Readonly<Record<string, unknown>>;
  meanGenerationMs?: number | null;
}

export interface JobNeeds {
  model: string;
  /** Seconds; Veo's 4 and 6 s clips need an Ultra account. Absent: useapi's default, 8. */
  duration?: Duration | undefined;
  /** An account to try last (it just refused the job's captcha): another one is preferred. */
  avoid?: string | undefined;
  /** The job may only run on this account. */
  email?: string;
  /** mediaGenerationIds of reference / start images; each names the account that uploaded it. */
  images: string[];
  /**
   * Spreads ties between equally good accounts (rendezvous hashing of job id and email).
   * Without it ties go to the alphabetically first account, so callers should pass it.
   */
  jobId?: string;
}

export type WaitReason = 'all_busy' | 'all_cooling' | 'pinned_unavailable' | 'no_eligible';
export type ImpossibleReason =
  /** The images were uploaded by two different accounts; no account can see both. */
  | 'images_span_accounts'
  /** The job names one account and its images belong to another. */
  | 'pinned_conflict'
  /** The named account (or the images' account) is not in the pool. */
  | 'unknown_account'
  | 'unknown_model'
  /** An ultra-only model (or a 4 or 6 s Veo clip) and no ultra account in the pool at all. */
  | 'no_ultra_account'
  /** An ultra-only model (or a 4 or 6 s Veo clip) pinned to a pro account. */
  | 'tier_mismatch'
  /** No account of the pool may run the model (its plan's list, or a MODEL_ACCESS_DENIED it answered). */
  | 'no_account_for_model'
  /** The pinned account may not run the model. */
  | 'model_not_on_account';

export type Pick =
  | { kind: 'account'; email: string }
  /** retryAt: when a cool-off or model quota that blocks ends; null when only a freed slot can help (or nothing known will). */
  | { kind: 'wait'; reason: WaitReason; retryAt: Date | null }
  | { kind: 'impossible'; reason: ImpossibleReason };

/** `Pick` under a name that does not shadow TypeScript's `Pick<T, K>` where both are needed. */
export type AccountPick = Pick;

type Blocker =
  | { kind: 'none' }
  /** Out of service until someone acts (disabled, draining, needs re-auth, no credits). */
  | { kind: 'off' }
  /** Blocked until a known (or unknown: null) time: cool-off or model quota. */
  | { kind: 'cooling'; until: Date | null }
  /** At its concurrency or per-minute limit; a finished job frees it. */
  | { kind: 'busy' };

function blockerOf(account: AccountSnapshot, model: string, now: Date): Blocker {
  if (!account.enabled || account.draining) return { kind: 'off' };
  if (account.state !== 'active' && account.state !== 'cooling') return { kind: 'off' };
  const t = now.getTime();
  const ends: (number | null)[] = [];
  // A future coolingUntil blocks even when the state already says active: a stale state is
  // cheaper to wait out than a 429 that extends the cool-off by hours.
  if (account.coolingUntil && account.coolingUntil.getTime() > t) ends.push(account.coolingUntil.getTime());
  else if (account.state === 'cooling' && !account.coolingUntil) ends.push(null);
  const quotaEnd = account.modelQuotaUntil[model];
  if (quotaEnd && quotaEnd.getTime() > t) ends.push(quotaEnd.getTime());
  if (ends.length > 0) {
    if (ends.includes(null)) return { kind: 'cooling', until: null };
    return { kind: 'cooling', until: new Date(Math.max(...(ends as number[]))) };
  }
  if (account.running >= account.maxConcurrent || account.submittedLastMinute >= account.maxPerMinute) {
    return { kind: 'busy' };
  }
  return { kind: 'none' };
}

/** True when the account may take this job right now (ignoring tier and pinning). */
export function isAvailable(account: AccountSnapshot, model: string, now: Date): boolean {
  return blockerOf(account, model, now).kind === 'none';
}

type Constraint = { kind: 'impossible'; reason: ImpossibleReason } | { kind: 'ok'; candidates: AccountSnapshot[]; pinned: boolean };

/** The pin part of a job's needs: the one account it may run on (named, or holding its images), or why none can. */
export type PinOf = { kind: 'impossible'; reason: 'images_span_accounts' | 'pinned_conflict' } | { kind: 'ok'; pin: string | null };

/**
 * The one account a job is pinned to, lower-cased: the account it names, else the account its
 * images were uploaded to. Decided here only; the waiting room files a job under this pin too.
 */
export function pinOf(job: { email?: string | null; images: readonly string[] }): PinOf {
  const imageAccounts = new Set<string>();
  for (const image of job.images) {
    // An id without an email part cannot pin anything; useapi will pick for it.
    const owner = accountOfMediaId(image);
    if (owner) imageAccounts.add(owner.toLowerCase());
  }
  if (imageAccounts.size > 1) return { kind: 'impossible', reason: 'images_span_accounts' };
  const named = job.email?.toLowerCase();
  const [imageAccount] = imageAccounts;
  if (named && imageAccount && named !== imageAccount) return { kind: 'impossible', reason: 'pinned_conflict' };
  return { kind: 'ok', pin: named ?? imageAccount ?? null };
}

/** Accounts that could ever run the job (tier and pinning), before looking at their state. */
function candidatesFor(pool: AccountSnapshot[], job: JobNeeds): Constraint {
  if (!isVideoModel(job.model)) return { kind: 'impossible', reason: 'unknown_model' };
  const refusalOf = (a: AccountSnapshot) => modelRefusal({ tier: a.tier, videoModels: a.videoModels ?? null, deniedModels: a.deniedModels ?? {} }, job);
  const pinned = pinOf(job);
  if (pinned.kind === 'impossible') return pinned;
  const { pin } = pinned;

  if (pin) {
    const account = pool.find((a) => a.email.toLowerCase() === pin);
    if (!account) return { kind: 'impossible', reason: 'unknown_account' };
    const refusal = refusalOf(account);
    if (refusal === 'tier') return { kind: 'impossible', reason: 'tier_mismatch' };
    if (refusal !== null) return { kind: 'impossible', reason: 'model_not_on_account' };
    return { kind: 'ok', candidates: [account], pinned: true };
  }
  const refusals = pool.map(refusalOf);
  const candidates = pool.filter((_, i) => refusals[i] === null);
  if (candidates.length === 0 && pool.length > 0) {
    return { kind: 'impossible', reason: refusals.every((r) => r === 'tier') ? 'no_ultra_account' : 'no_account_for_model' };
  }
  return { kind: 'ok', candidates, pinned: false };
}

/** useapi's own penalty weights, without the `executing` term (load is ranked on its own). */
function penalty(a: AccountSnapshot): number {
  return 10 * a.recent.failed + 20 * a.recent.throttled;
}

/**
 * Orders two eligible accounts, best first. The keys, in order:
 *
 * 1. **Fewest throttles (429 THROTTLED) in the last 15 minutes, zero before any.** A throttle
 *    is the one failure that is clearly the account's, and three of them cost the account a
 *    three-hour cool-off; more work sent its way is the likeliest way to get there. useapi's
 *    score folds this into one sum where enough running jobs can outweigh it; we never let
 *    an idle throttled account win over a busy healthy one.
 * 2. **Largest free-slot fraction** (`(max - running) / max`). Load spreads in proportion to
 *    each account's capacity, so an account allowed 6 jobs gets three times the work of one
 *    allowed 2, and equal accounts fill evenly. useapi ranks raw `executing`, which
 *    overloads small accounts.
 * 3. **Lowest useapi penalty** `10 x failed + 20 x throttled`. Failures come second to load
 *    because most of them belong to the job (a refused prompt fails anywhere), not to the
 *    account.
 * 4. **More free slots** in absolute terms, for two accounts at the same fraction.
 * 5. **Rendezvous hash of (job id, email)**: a stateless tie-break that scatters equal
 *    accounts across jobs the same way in every process, with no shared counter.
 *
 * Mean generation time is deliberately not used: it depends on the model and prompt far
 * more than on the account, and ranking by it would pile work on whichever account
 * happened to draw short jobs.
 */
function compareAccounts(a: AccountSnapshot, b: AccountSnapshot, jobId: string | undefined): number {
  if (a.recent.throttled !== b.recent.throttled) return a.recent.throttled - b.recent.throttled;
  const freeA = a.maxConcurrent - a.running;
  const freeB = b.maxConcurrent - b.running;
  // Cross-multiplied so equal fractions compare equal (no floating-point noise).
  const fraction = freeB * a.maxConcurrent - freeA * b.maxConcurrent;
  if (fraction !== 0) return fraction;
  const p = penalty(a) - penalty(b);
  if (p !== 0) return p;
  if (freeA !== freeB) return freeB - freeA;
  if (jobId !== undefined) {
    const ha = hash32(`${jobId}\u0000${a.email}`);
    const hb = hash32(`${jobId}\u0000${b.email}`);
    if (ha !== hb) return ha - hb;
  }
  return a.email < b.email ? -1 : a.email > b.email ? 1 : 0;
}

function earliest(dates: (Date | null)[]): Date | null {
  let best: Date | null = null;
  for (const d of dates) if (d && (!best || d.getTime() < best.getTime())) best = d;
  return best;
}

/**
 * The whole choice for one job, computed once: every account that may take it now, best first
 * (see `compareAccounts`), or why none may and when to look again. Hand `ranked` to
 * `AccountSlots.acquire`, which takes the first one whose slot and rate budget are still free
 * in Redis: the snapshot here may be a moment stale, Redis is not.
 */
export type AccountChoice = { kind: 'accounts'; ranked: AccountSnapshot[] } | Extract<Pick, { kind: 'wait' }> | Extract<Pick, { kind: 'impossible' }>;

export function chooseAccounts(pool: AccountSnapshot[], job: JobNeeds, now: Date): AccountChoice {
  const constraint = candidatesFor(pool, job);
  if (constraint.kind === 'impossible') return constraint;

  const blockers = constraint.candidates.map((a) => blockerOf(a, job.model, now));
  const eligible = constraint.candidates.filter((_, i) => blockers[i]!.kind === 'none');
  if (eligible.length > 0) {
    const ranked = eligible.sort((a, b) => compareAccounts(a, b, job.jobId));
    // The account that just refused the job's captcha goes last: another one is preferred, itself still allowed.
    const avoided = ranked.findIndex((a) => a.email === job.avoid);
    if (avoided >= 0 && ranked.length > 1) ranked.push(...ranked.splice(avoided, 1));
    return { kind: 'accounts', ranked };
  }

  const coolingEnds = blockers.flatMap((b) => (b.kind === 'cooling' ? [b.until] : []));
  if (constraint.pinned) {
    return { kind: 'wait', reason: 'pinned_unavailable', retryAt: earliest(coolingEnds) };
  }
  // A busy account may free a slot any second, so busy wins over cooling; retryAt is then
  // only the latest moment worth waiting for (the first cool-off to end).
  if (blockers.some((b) => b.kind === 'busy')) {
    return { kind: 'wait', reason: 'all_busy', retryAt: earliest(coolingEnds) };
  }
  if (coolingEnds.length > 0) return { kind: 'wait', reason: 'all_cooling', retryAt: earliest(coolingEnds) };
  return { kind: 'wait', reason: 'no_eligible', retryAt: null };
}

/** Every account that may take the job now, best first; empty when none may (`chooseAccounts` says why). */
export function rankAccounts(pool: AccountSnapshot[], job: JobNeeds, now: Date): AccountSnapshot[] {
  const choice = chooseAccounts(pool, job, now);
  return choice.kind === 'accounts' ? choice.ranked : [];
}

/** The best account for the job now, or why there is none and when to look again. */
export function pickAccount(pool: AccountSnapshot[], job: JobNeeds, now: Date): Pick {
  const choice = chooseAccounts(pool, job, now);
  return choice.kind === 'accounts' ? { kind: 'account', email: choice.ranked[0]!.email } : choice;
}
