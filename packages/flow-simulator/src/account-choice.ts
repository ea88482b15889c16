import { accountOfMediaId, creditsFor, isImageModel, type ImageModel, type VideoModel } from '@flowq/core';
import type { AccountState, AccountTier } from './options';
import { MESSAGES, useapiError, type SimAnswer, type SkipReason } from './upstream-errors';
import { userPartOf } from './ids';

/** What the choice needs to know of an account. */
export interface AccountView {
  email: string;
  tier: AccountTier;
  models: readonly VideoModel[];
  state: AccountState;
  credits: number;
  executing: number;
}

export type Choice = { ok: true; email: string } | { ok: false; answer: SimAnswer } | { ok: false; skipReasons: SkipReason[] };

/** Images run on any account whose session works, paid or not, at 0 credits. */
function skipReasonOf(account: AccountView, model: VideoModel | ImageModel): string | null {
  if (isImageModel(model)) return account.state === 'needs_reauth' ? account.state : null;
  if (account.state !== 'ok') return account.state;
  if (!account.models.includes(model)) return 'model_not_available';
  if (account.credits <= 0 || account.credits < creditsFor({ model }, account.tier)) return 'no_credits';
  return null;
}

/**
 * useapi's balancer, simplified: among healthy accounts that may run the model, the one with
 * the fewest executing jobs, earliest configured on a tie. useapi also weighs recent failures
 * and 429s; the simulator leaves that refinement to flowq's own scheduler.
 */
export function balanceAccount(accounts: AccountView[], model: VideoModel | ImageModel): Choice {
  const skipReasons: SkipReason[] = [];
  let best: AccountView | undefined;
  for (const account of accounts) {
    const reason = skipReasonOf(account, model);
    if (reason !== null) {
      skipReasons.push({ email: account.email, reason, model });
      continue;
    }
    if (best === undefined || account.executing < best.executing) best = account;
  }
  return best ? { ok: true, email: best.email } : { ok: false, skipReasons };
}

/**
 * Which account a submit runs on: the one its images were uploaded to, else the explicit
 * `email`, else the balancer's pick. Images of another account than the named one are a 403.
 */
export function chooseAccount(input: { email: string | undefined; images: string[]; model: VideoModel | ImageModel; accounts: AccountView[] }): Choice {
  const known = new Set(input.accounts.map((a) => a.email));
  let imageAccount: string | undefined;
  for (const image of input.images) {
    const owner = accountOfMediaId(image);
    if (owner === null) return { ok: false, answer: useapiError(400, `Invalid mediaGenerationId ${image}`) };
    if (input.email !== undefined && owner !== input.email) {
      return { ok: false, answer: useapiError(403, MESSAGES.foreignImage(image, userPartOf(image))) };
    }
    if (imageAccount !== undefined && owner !== imageAccount) {
      return { ok: false, answer: useapiError(403, MESSAGES.foreignImage(image, userPartOf(image))) };
    }
    imageAccount = owner;
  }
  const named = input.email ?? imageAccount;
  if (named !== undefined) {
    return known.has(named) ? { ok: true, email: named } : { ok: false, answer: useapiError(404, MESSAGES.accountNotFound(named)) };
  }
  if (input.accounts.length === 0) return { ok: false, answer: useapiError(404, 'No Google Flow accounts configured') };
  return balanceAccount(input.accounts, input.model);
}
