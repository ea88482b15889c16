import { hexOfEmail } from '@flowq/core';
import { describe, expect, it } from 'vitest';
import { chooseImageAccounts, type ImageAccountView } from './pick-image-account';

const NOW = new Date('2026-11-27T12:00:00Z');
const later = new Date(NOW.getTime() + 60_000);
const account = (email: string, patch: Partial<ImageAccountView> = {}): ImageAccountView => ({
  email,
  enabled: true,
  draining: false,
  state: 'active',
  coolingUntil: null,
  running: 0,
  maxConcurrent: 3,
  throttled: 0,
  ...patch,
});
const refOf = (email: string) => `user:1-email:${hexOfEmail(email)}-image:00000000-0000-4000-8000-000000000000`;

describe('chooseImageAccounts', () => {
  it.each<[string, ImageAccountView[], Parameters<typeof chooseImageAccounts>[1], ReturnType<typeof chooseImageAccounts>]>([
    [
      'ranks by free image slots',
      [account('a', { running: 2 }), account('b', { running: 0 })],
      { references: [], jobId: 'j' },
      { kind: 'accounts', ranked: ['b', 'a'] },
    ],
    [
      'a throttled account comes last',
      [account('a', { throttled: 1 }), account('b', { running: 2 })],
      { references: [], jobId: 'j' },
      { kind: 'accounts', ranked: ['b', 'a'] },
    ],
    [
      'an account without a plan still makes images',
      [account('a', { state: 'no_credits' })],
      { references: [], jobId: 'j' },
      { kind: 'accounts', ranked: ['a'] },
    ],
    [
      'needs_reauth, disabled, draining, missing are out',
      [account('a', { state: 'needs_reauth' }), account('b', { enabled: false }), account('c', { draining: true }), account('d', { state: 'missing' })],
      { references: [], jobId: 'j' },
      { kind: 'wait', reason: 'no_eligible', retryAt: null },
    ],
    [
      'all cooling: wait until the first ends',
      [account('a', { state: 'cooling', coolingUntil: later })],
      { references: [], jobId: 'j' },
      { kind: 'wait', reason: 'all_cooling', retryAt: later },
    ],
    [
      'a past cool-off no longer blocks',
      [account('a', { coolingUntil: new Date(NOW.getTime() - 1) })],
      { references: [], jobId: 'j' },
      { kind: 'accounts', ranked: ['a'] },
    ],
    [
      'pinned by email',
      [account('a@x.test'), account('b@x.test')],
      { email: 'b@x.test', references: [], jobId: 'j' },
      { kind: 'accounts', ranked: ['b@x.test'] },
    ],
    [
      'pinned by a reference',
      [account('a@x.test'), account('b@x.test')],
      { references: [refOf('a@x.test')], jobId: 'j' },
      { kind: 'accounts', ranked: ['a@x.test'] },
    ],
    [
      'pinned account cooling: wait for it',
      [account('a@x.test', { coolingUntil: later }), account('b@x.test')],
      { email: 'a@x.test', references: [], jobId: 'j' },
      { kind: 'wait', reason: 'pinned_unavailable', retryAt: later },
    ],
    [
      'references of two accounts: impossible',
      [account('a@x.test'), account('b@x.test')],
      { references: [refOf('a@x.test'), refOf('b@x.test')], jobId: 'j' },
      { kind: 'impossible', reason: 'images_span_accounts' },
    ],
    [
      'an unknown pinned account: impossible',
      [account('a@x.test')],
      { email: 'z@x.test', references: [], jobId: 'j' },
      { kind: 'impossible', reason: 'unknown_account' },
    ],
  ])('%s', (_name, pool, needs, expected) => {
    expect(chooseImageAccounts(pool, needs, NOW)).toEqual(expected);
  });
});
