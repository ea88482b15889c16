import type { AccountRow } from '@flowq/db';
import type { UpstreamAccount } from '@flowq/useapi-client';
import { describe, expect, it } from 'vitest';
import { coolOffDecision, drainDecision, editDecision, liftCoolOffDecision, readdDecision } from '../../services/account-admin-decisions';
import { accountToAdd, missingDecision, syncDecision, tierOfPaygate } from '../../services/account-sync-plan';

const row = (over: Partial<AccountRow> = {}): AccountRow => ({
  email: 'a@x.test',
  tier: 'pro',
  enabled: true,
  state: 'active',
  coolingUntil: null,
  stateReason: null,
  maxConcurrent: 4,
  maxPerMinute: 10,
  remainingCredits: 100,
  draining: false,
  modelQuotaUntil: {},
  videoModels: null,
  deniedModels: {},
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...over,
});
const healthy = (over: Partial<UpstreamAccount> = {}): UpstreamAccount => ({ email: 'A@x.test', health: 'OK', healthy: true, ...over });
const sick: UpstreamAccount = { email: 'a@x.test', health: 'Failed to refresh session: 500', healthy: false };

describe('tierOfPaygate', () => {
  it.each([
    ['PAYGATE_TIER_TWO', 'ultra'],
    ['PAYGATE_TIER_ONE', 'pro'],
    ['GOOGLE_AI_ULTRA', 'ultra'],
    ['ultra', 'ultra'],
    ['AI_PRO', 'pro'],
    ['PAYGATE_TIER_NOT_PAID', null],
    ['', null],
    [undefined, null],
  ])('%s -> %s', (paygate, tier) => expect(tierOfPaygate(paygate)).toBe(tier));
});

describe('sync decisions', () => {
  it('adds an unknown account lower-cased, as needs_reauth when useapi says it is unhealthy', () => {
    expect(accountToAdd(healthy({ credits: { credits: 5, userPaygateTier: 'PAYGATE_TIER_TWO' } }))).toEqual({
      email: 'a@x.test',
      tier: 'ultra',
      remainingCredits: 5,
      videoModels: null,
    });
    expect(accountToAdd(sick)).toMatchObject({ tier: 'pro', state: 'needs_reauth', stateReason: sick.health, remainingCredits: null });
    expect(accountToAdd({ ...sick, health: 'x'.repeat(2_000) }).stateReason!.length).toBeLessThanOrEqual(500);
  });

  it('marks a dead session needs_reauth, except a hand-disabled account', () => {
    expect(syncDecision(row({ state: 'cooling', coolingUntil: new Date() }), sick)).toEqual({
      set: { state: 'needs_reauth', stateReason: sick.health, coolingUntil: null },
      event: { kind: 'state_changed', reason: `sync: useapi health: ${sick.health}` },
    });
    expect(syncDecision(row({ state: 'disabled' }), sick)).toBeNull();
    expect(syncDecision(row({ state: 'needs_reauth' }), sick)).toBeNull();
  });

  it('follows credits and tier, and does nothing when they agree or say nothing', () => {
    expect(syncDecision(row(), healthy({ credits: { credits: 90, userPaygateTier: 'PAYGATE_TIER_TWO' } }))).toEqual({
      set: { remainingCredits: 90, tier: 'ultra' },
      event: { kind: 'synced', reason: 'sync: credits 100 -> 90; tier pro -> ultra' },
    });
    expect(syncDecision(row(), healthy({ credits: { credits: 100, userPaygateTier: 'PAYGATE_TIER_NOT_PAID' } }))).toBeNull();
    expect(syncDecision(row(), healthy())).toBeNull();
    expect(syncDecision(row({ state: 'needs_reauth' }), healthy())).toBeNull();
  });

  it('follows the models useapi says the account may run; a new tier forgets the refusals of the old plan', () => {
    const models = [{ key: 'veo-3.1-lite', creditCost: 10 }, { key: 'veo-3.1-fast' }];
    expect(syncDecision(row(), healthy({ videoModels: models }))).toEqual({
      set: { videoModels: ['veo-3.1-fast', 'veo-3.1-lite'] },
      event: { kind: 'synced', reason: 'sync: models unknown -> veo-3.1-fast veo-3.1-lite' },
    });
    expect(syncDecision(row({ videoModels: ['veo-3.1-fast', 'veo-3.1-lite'] }), healthy({ videoModels: models }))).toBeNull();
    expect(
      syncDecision(
        row({ deniedModels: { 'veo-3.1-quality': '2026-01-01T00:00:00.000Z' } }),
        healthy({ credits: { credits: 100, userPaygateTier: 'PAYGATE_TIER_TWO' } }),
      ),
    ).toMatchObject({ set: { tier: 'ultra', deniedModels: {} } });
    expect(accountToAdd(healthy({ videoModels: models }))).toMatchObject({ videoModels: ['veo-3.1-fast', 'veo-3.1-lite'] });
  });

  it('an account useapi no longer lists is missing until found again', () => {
    expect(missingDecision(row())).toMatchObject({ set: { state: 'missing' } });
    expect(missingDecision(row({ state: 'disabled' }))).toBeNull();
    expect(missingDecision(row({ state: 'missing' }))).toBeNull();
    expect(syncDecision(row({ state: 'missing', stateReason: 'gone' }), healthy())).toMatchObject({ set: { state: 'active', stateReason: null } });
  });
});

describe('admin decisions', () => {
  it('edit: only what differs; a hand-set state clears the cool-off', () => {
    expect(editDecision(row(), { tier: 'pro', maxConcurrent: 4 })).toBeNull();
    expect(editDecision(row({ state: 'cooling', coolingUntil: new Date(), stateReason: '429s' }), { state: 'active' })).toEqual({
      set: { state: 'active', coolingUntil: null, stateReason: null },
      event: { kind: 'state_changed', reason: 'by an admin: state cooling -> active' },
    });
    expect(editDecision(row(), { state: 'disabled' })?.set.stateReason).toBe('disabled by an admin');
  });

  it('re-add: only from needs_reauth or draining, else a conflict on email', () => {
    expect(() => readdDecision(row(), {})).toThrow(expect.objectContaining({ status: 409, field: 'email' }));
    expect(readdDecision(row({ state: 'needs_reauth', stateReason: '596' }), {})?.set).toEqual({ state: 'active', stateReason: null, coolingUntil: null });
    expect(readdDecision(row({ draining: true }), {})?.set).toEqual({ draining: false });
  });

  it('cool-off: from active or cooling only; lifting only when cooling', () => {
    const until = new Date(1_000_000);
    expect(coolOffDecision(row({ state: 'cooling' }), until, 'r')).toEqual({
      set: { state: 'cooling', coolingUntil: until, stateReason: 'r' },
      event: { kind: 'cooled_off', reason: 'r', until },
    });
    for (const state of ['needs_reauth', 'no_credits', 'disabled'] as const)
      expect(() => coolOffDecision(row({ state }), until, 'r')).toThrow(/only an active or cooling/);
    expect(() => liftCoolOffDecision(row())).toThrow(/not cooling off/);
  });

  it('drain: once', () => {
    expect(drainDecision(row(), 2)?.set).toEqual({ draining: true });
    expect(drainDecision(row({ draining: true }), 2)).toBeNull();
  });
});
