import { describe, expect, it } from 'vitest';
import { balanceAccount, type AccountView } from './account-choice';
import { admit, type AdmissionInput } from './admission';
import { resolveOptions } from './options';
import { parseVideoSubmit, type VideoSubmit } from './validation';

const markers = resolveOptions().markers;
const request = (body: Record<string, unknown>): VideoSubmit => {
  const parsed = parseVideoSubmit({ prompt: 'p', ...body });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.request;
};
const base: AdmissionInput = {
  request: request({}),
  account: {
    state: 'ok',
    tier: 'pro',
    models: ['veo-3.1-lite', 'veo-3.1-fast', 'veo-3.1-quality', 'omni-flash'],
    credits: 100,
    executing: 0,
    maxConcurrent: 2,
  },
  fault: undefined,
  markers,
  now: 0,
};

describe('admit', () => {
  it.each<[string, Partial<AdmissionInput> & { acc?: Partial<AdmissionInput['account']> }, number | 'ok', string?]>([
    ['healthy', {}, 'ok'],
    ['session lost beats everything', { acc: { state: 'needs_reauth', executing: 9 }, fault: { kind: 'captcha-provider' } }, 596, 'session'],
    ['no subscription', { acc: { state: 'no_credits' } }, 402, 'subscription'],
    ['a model the plan lacks', { request: request({ model: 'veo-3.1-lite-low-priority' }) }, 403, 'model-access'],
    ['4 s Veo on pro', { request: request({ model: 'veo-3.1-fast', duration: 4 }) }, 400, 'tier'],
    ['4 s omni on pro', { request: request({ model: 'omni-flash', duration: 4 }) }, 'ok'],
    ['injected fault before policy and limits', { fault: { kind: 'quota' }, acc: { executing: 2 } }, 429, 'injected'],
    ['unsafe prompt', { request: request({ prompt: 'x [[unsafe]]' }) }, 400, 'content-policy'],
    ['at the limit', { acc: { executing: 2 } }, 429, 'concurrency'],
    ['not enough credits', { request: request({ model: 'veo-3.1-quality', count: 2 }) }, 402, 'credits'],
    ['fast costs 20 on pro', { request: request({ count: 4 }), acc: { credits: 79 } }, 402, 'credits'],
    ['fast costs 10 on ultra', { request: request({ count: 4 }), acc: { credits: 40, tier: 'ultra' } }, 'ok'],
    [
      'low priority is free on ultra',
      { request: request({ model: 'veo-3.1-lite-low-priority' }), acc: { tier: 'ultra', models: ['veo-3.1-lite-low-priority'], credits: 1 } },
      'ok',
    ],
    ['zero credits', { acc: { credits: 0 } }, 402, 'credits'],
  ])('%s', (_name, { acc, ...over }, status, cause) => {
    const result = admit({ ...base, ...over, account: { ...base.account, ...acc } });
    if (status === 'ok') {
      expect(result.ok).toBe(true);
    } else {
      expect(result).toMatchObject({ ok: false, cause, answer: { status } });
    }
  });
});

describe('balanceAccount', () => {
  const view = (email: string, over: Partial<AccountView> = {}): AccountView => ({
    email,
    tier: 'pro',
    models: ['veo-3.1-fast', 'veo-3.1-lite'],
    state: 'ok',
    credits: 100,
    executing: 0,
    ...over,
  });

  it('picks the fewest executing jobs, the earliest on a tie', () => {
    expect(balanceAccount([view('a', { executing: 2 }), view('b', { executing: 1 }), view('c', { executing: 1 })], 'veo-3.1-fast')).toEqual({
      ok: true,
      email: 'b',
    });
  });

  it('skips unhealthy, unpaid and ineligible accounts and says why', () => {
    expect(balanceAccount([view('a', { state: 'needs_reauth' }), view('b', { credits: 5 }), view('c')], 'veo-3.1-quality')).toEqual({
      ok: false,
      skipReasons: [
        { email: 'a', reason: 'needs_reauth', model: 'veo-3.1-quality' },
        { email: 'b', reason: 'model_not_available', model: 'veo-3.1-quality' },
        { email: 'c', reason: 'model_not_available', model: 'veo-3.1-quality' },
      ],
    });
    expect(balanceAccount([view('a', { credits: 15 }), view('b')], 'veo-3.1-fast')).toEqual({ ok: true, email: 'b' });
  });
});
