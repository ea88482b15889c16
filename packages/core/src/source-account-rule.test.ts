import { describe, expect, it } from 'vitest';
import { hexOfEmail } from './media-id';
import { accountForJob, type AccountRuleInput, type OwnerAccount } from './source-account-rule';

const OWNER = 'maker@flowq.test';
const clip = `user:123-email:${hexOfEmail(OWNER)}-video:0b0b0b0b-0000-4000-8000-000000000000`;
const account = (tier: OwnerAccount['tier'], status: OwnerAccount['status']): OwnerAccount => ({ email: OWNER, tier, status });
const both = ['ultra', 'pro'] as const;
const ultra = ['ultra'] as const;

describe('accountForJob', () => {
  it.each<[string, AccountRuleInput, ReturnType<typeof accountForJob>['verdict'], string?]>([
    ['a video goes to the pool', { kind: 'video', tiers: both, owner: undefined }, 'pool'],
    ['an image goes to the pool', { kind: 'image', tiers: both, owner: undefined }, 'pool'],
    ['upscale on its ready owner runs there', { kind: 'upscale', source: clip, tiers: both, owner: account('pro', 'ready') }, 'run'],
    ['extend on its ready owner runs there', { kind: 'extend', source: clip, tiers: both, owner: account('ultra', 'ready') }, 'run'],
    ['owner cooling off: wait', { kind: 'upscale', source: clip, tiers: both, owner: account('pro', 'cooling') }, 'wait'],
    ['owner busy: wait', { kind: 'extend', source: clip, tiers: both, owner: account('pro', 'busy') }, 'wait'],
    ['owner paused (re-auth, disabled): wait', { kind: 'upscale', source: clip, tiers: both, owner: account('pro', 'paused') }, 'wait'],
    ['owner gone: fail source_account_gone', { kind: 'upscale', source: clip, tiers: both, owner: account('pro', 'gone') }, 'fail', 'source_account_gone'],
    ['owner not in the pool: fail source_account_gone', { kind: 'extend', source: clip, tiers: both, owner: undefined }, 'fail', 'source_account_gone'],
    ['4K on a pro owner: fail before sending', { kind: 'upscale', source: clip, tiers: ultra, owner: account('pro', 'ready') }, 'fail', 'invalid_request'],
    [
      '4K on a pro owner that is busy: still fails, waiting cannot help',
      { kind: 'upscale', source: clip, tiers: ultra, owner: account('pro', 'busy') },
      'fail',
      'invalid_request',
    ],
    ['4K on an ultra owner runs', { kind: 'upscale', source: clip, tiers: ultra, owner: account('ultra', 'ready') }, 'run'],
    ['a source naming no account: fail', { kind: 'upscale', source: 'not-an-id', tiers: both, owner: undefined }, 'fail', 'invalid_request'],
  ])('%s', (_name, input, verdict, code) => {
    const result = accountForJob(input);
    expect(result.verdict).toBe(verdict);
    if (result.verdict === 'fail') expect(result.code).toBe(code);
    if (result.verdict === 'run' || result.verdict === 'wait') expect(result.email).toBe(OWNER);
  });

  it('names the account and the kind when the source account is gone', () => {
    const result = accountForJob({ kind: 'extend', source: clip, tiers: both, owner: undefined });
    expect(result).toMatchObject({ verdict: 'fail', message: expect.stringContaining(OWNER) });
    expect(result.verdict === 'fail' && result.message).toContain('extend');
  });
});
