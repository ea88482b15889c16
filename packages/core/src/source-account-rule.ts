import { accountOfMediaId } from './media-id';
import { actsOnSource, type JobKind } from './job-kind';
import type { AccountTier } from './model-catalog';

/**
 * Which account may run a job. Videos and images go to the pool (the scheduler picks). An upscale
 * or extend acts on a video whose mediaGenerationId belongs to the account that made it: only
 * that account can serve it. So it waits while that account is cooling off, busy or paused (no
 * other account would do), fails at once with a reason when the account is gone for good or its
 * plan cannot run the request, and never goes to the pool.
 */

/**
 * What the source's account is doing now. `paused`: off until someone acts (disabled, needs
 * re-auth, no credits); `gone`: removed from the pool, draining out of it, or no longer known to
 * useapi (`missing`).
 */
export type OwnerStatus = 'ready' | 'cooling' | 'busy' | 'paused' | 'gone';

export interface OwnerAccount {
  email: string;
  tier: AccountTier;
  status: OwnerStatus;
}

export type AccountVerdict =
  | { verdict: 'pool' }
  | { verdict: 'run'; email: string }
  | { verdict: 'wait'; email: string; reason: 'cooling' | 'busy' | 'paused' }
  | { verdict: 'fail'; code: 'source_account_gone' | 'invalid_request'; message: string };

export interface AccountRuleInput {
  kind: JobKind;
  /** The source video's mediaGenerationId (upscale, extend). */
  source?: string | undefined;
  /** Tiers that may run the request (`JOB_KIND_SPECS[kind].tiers`). */
  tiers: readonly AccountTier[];
  /** The pool's record of the account the source names; undefined when the pool has none. */
  owner: OwnerAccount | undefined;
}

export function accountForJob(input: AccountRuleInput): AccountVerdict {
  if (!actsOnSource(input.kind)) return { verdict: 'pool' };
  const email = input.source === undefined ? null : accountOfMediaId(input.source);
  if (email === null) return { verdict: 'fail', code: 'invalid_request', message: `the source ${input.source ?? '(none)'} names no account` };
  const { owner } = input;
  if (owner === undefined || owner.status === 'gone') {
    return {
      verdict: 'fail',
      code: 'source_account_gone',
      message: `the source video was made on ${email}, which has left the pool; only that account can ${input.kind} it`,
    };
  }
  if (!input.tiers.includes(owner.tier)) {
    return {
      verdict: 'fail',
      code: 'invalid_request',
      message: `this ${input.kind} needs an ${input.tiers.join(' or ')} account and the source was made on ${owner.email}, a ${owner.tier} account`,
    };
  }
  if (owner.status === 'ready') return { verdict: 'run', email: owner.email };
  return { verdict: 'wait', email: owner.email, reason: owner.status };
}
