import { hash32 } from '@flowq/core';
import { pinOf, type AccountState } from './pick-account';

/**
 * Which accounts may take an image job (`POST /images`) now, best first. Images are free and run
 * on any account whose session works, paid or not (`no_credits` too), in their own lane of slots
 * (`image` leases), so a busy video account still makes images. Pinning follows the same rule as
 * videos (`pinOf`): the named account, else the account its references were uploaded to.
 */
export interface ImageAccountView {
  email: string;
  enabled: boolean;
  draining: boolean;
  state: AccountState;
  coolingUntil: Date | null;
  /** Image calls in progress (image lane). */
  running: number;
  maxConcurrent: number;
  /** Throttling 429s over the last 15 minutes (any lane): a throttled account is asked last. */
  throttled: number;
}

export interface ImageNeeds {
  email?: string | undefined;
  references: readonly string[];
  jobId: string;
}

export type ImagePick =
  | { kind: 'accounts'; ranked: string[] }
  | { kind: 'wait'; reason: 'all_cooling' | 'pinned_unavailable' | 'no_eligible'; retryAt: Date | null }
  | { kind: 'impossible'; reason: 'images_span_accounts' | 'pinned_conflict' | 'unknown_account' };

const SERVES_IMAGES: readonly AccountState[] = ['active', 'cooling', 'no_credits'];

export function chooseImageAccounts(pool: readonly ImageAccountView[], needs: ImageNeeds, now: Date): ImagePick {
  const pinned = pinOf({ email: needs.email ?? null, images: needs.references });
  if (pinned.kind === 'impossible') return pinned;
  let candidates = pool;
  if (pinned.pin) {
    const account = pool.find((a) => a.email.toLowerCase() === pinned.pin);
    if (!account) return { kind: 'impossible', reason: 'unknown_account' };
    candidates = [account];
  }
  const inService = candidates.filter((a) => a.enabled && !a.draining && SERVES_IMAGES.includes(a.state));
  const cooling = (a: ImageAccountView) => (a.coolingUntil !== null && a.coolingUntil > now) || (a.state === 'cooling' && a.coolingUntil === null);
  const ready = inService.filter((a) => !cooling(a));
  if (ready.length === 0) {
    const ends = inService.map((a) => a.coolingUntil).filter((t): t is Date => t !== null && t > now);
    const retryAt = ends.length > 0 ? new Date(Math.min(...ends.map((t) => t.getTime()))) : null;
    if (pinned.pin) return { kind: 'wait', reason: 'pinned_unavailable', retryAt };
    return { kind: 'wait', reason: inService.length > 0 ? 'all_cooling' : 'no_eligible', retryAt };
  }
  const ranked = [...ready].sort((a, b) => {
    if (a.throttled !== b.throttled) return a.throttled - b.throttled;
    // Largest free fraction first, cross-multiplied so equal fractions compare equal.
    const fraction = (b.maxConcurrent - b.running) * a.maxConcurrent - (a.maxConcurrent - a.running) * b.maxConcurrent;
    if (fraction !== 0) return fraction;
    return hash32(`${needs.jobId}\u0000${a.email}`) - hash32(`${needs.jobId}\u0000${b.email}`);
  });
  return { kind: 'accounts', ranked: ranked.map((a) => a.email) };
}
