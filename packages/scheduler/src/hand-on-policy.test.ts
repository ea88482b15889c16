import { describe, expect, it } from 'vitest';
import { accountSnapshot } from './account-snapshot-fixture';
import { handOnLimitsFrom, keepsHandedSlot, mayHandOn, type HandOnAccountView } from './hand-on-policy';
import type { AccountSnapshot, JobNeeds } from './pick-account';

const NOW = new Date('2025-11-20T12:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

function view(over: Partial<HandOnAccountView> = {}): HandOnAccountView {
  return { email: 'a@x.com', tier: 'pro', enabled: true, draining: false, state: 'active', coolingUntil: null, maxConcurrent: 4, maxPerMinute: 10, ...over };
}

function account(email: string, over: Partial<AccountSnapshot> = {}): AccountSnapshot {
  return accountSnapshot(email, { running: 4, submittedLastMinute: 10, ...over });
}

describe('mayHandOn: a freed slot goes straight to a waiting job only on an open account', () => {
  it.each([
    ['an active account', {}, true],
    ['a cool-off that has passed', { coolingUntil: later(-1) }, true],
    ['disabled by an operator', { enabled: false }, false],
    ['draining', { draining: true }, false],
    ['cooling off', { coolingUntil: later(60_000) }, false],
    ['in state cooling', { state: 'cooling' }, false],
    ['needing re-auth', { state: 'needs_reauth' }, false],
    ['out of credits', { state: 'no_credits' }, false],
  ])('%s: %s', (_, over, expected) => {
    expect(mayHandOn(view(over), NOW)).toBe(expected);
  });
});

describe('keepsHandedSlot: the job keeps the slot when the choice would take that account', () => {
  const fast: JobNeeds = { model: 'veo-3.1-fast', images: [] };
  it.each([
    ["a full account (usage is Redis's business: the slot is already taken)", [account('a@x.com')], fast, true],
    ['an account whose model quota is spent', [account('a@x.com', { modelQuotaUntil: { 'veo-3.1-fast': later(60_000) } })], fast, false],
    ['an account that refused the model', [account('a@x.com', { deniedModels: { 'veo-3.1-fast': true } })], fast, false],
    ['an account cooling off meanwhile', [account('a@x.com', { coolingUntil: later(60_000) })], fast, false],
    ['another account than the job names', [account('a@x.com'), account('b@x.com')], { ...fast, email: 'b@x.com' }, false],
    ['the account the job names', [account('a@x.com'), account('b@x.com')], { ...fast, email: 'a@x.com' }, true],
    ['the account the job avoids (only ranked last)', [account('a@x.com'), account('b@x.com')], { ...fast, avoid: 'a@x.com' }, true],
    ['an account no longer configured', [account('b@x.com')], fast, false],
  ])('%s', (_, pool, needs, expected) => {
    expect(keepsHandedSlot(pool, needs, 'a@x.com', NOW)).toBe(expected);
  });
});

describe('handOnLimitsFrom', () => {
  it('answers the limits and tier of an open account, whatever the case of its email, and null for a closed or unknown one', async () => {
    const limitsOf = handOnLimitsFrom(async () => [view({ email: 'A@x.com', tier: 'ultra', maxConcurrent: 6 }), view({ email: 'b@x.com', draining: true })]);
    expect(await limitsOf('a@x.com', NOW)).toEqual({ tier: 'ultra', maxConcurrent: 6, maxPerMinute: 10 });
    expect(await limitsOf('b@x.com', NOW)).toBeNull();
    expect(await limitsOf('c@x.com', NOW)).toBeNull();
  });
});
