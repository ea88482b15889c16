import { describe, expect, it } from 'vitest';
import { idleSlots, type IdleSlotView } from './idle-slots';

const now = new Date('2026-11-27T12:00:00Z');
const account = (over: Partial<IdleSlotView>): IdleSlotView => ({
  email: 'a@x.test',
  enabled: true,
  draining: false,
  state: 'active',
  coolingUntil: null,
  running: 1,
  maxConcurrent: 4,
  submittedLastMinute: 0,
  maxPerMinute: 10,
  ...over,
});

describe('idleSlots', () => {
  it.each<[string, Partial<IdleSlotView>, number]>([
    ['free under the limit', {}, 3],
    ['full', { running: 4 }, 0],
    ['above a working limit cut below what runs', { running: 4, maxConcurrent: 2 }, 0],
    ['per-minute budget smaller than free slots', { submittedLastMinute: 9 }, 1],
    ['per-minute budget spent', { submittedLastMinute: 10 }, 0],
    ['disabled', { enabled: false }, 0],
    ['draining', { draining: true }, 0],
    ['cooling by state', { state: 'cooling' }, 0],
    ['cooling until later', { coolingUntil: new Date(now.getTime() + 60_000) }, 0],
    ['cool-off already over', { coolingUntil: new Date(now.getTime() - 1) }, 3],
    ['needs re-authentication', { state: 'needs_reauth' }, 0],
    ['no credits', { state: 'no_credits' }, 0],
  ])('%s', (_, over, free) => {
    const got = idleSlots([account(over)], now);
    expect(got).toEqual(free > 0 ? [{ email: 'a@x.test', free }] : []);
  });

  it('lists each account with room, in pool order', () => {
    const pool = [account({ email: 'b@x.test', running: 0 }), account({ email: 'c@x.test', running: 4 }), account({ email: 'd@x.test', running: 3 })];
    expect(idleSlots(pool, now)).toEqual([
      { email: 'b@x.test', free: 4 },
      { email: 'd@x.test', free: 1 },
    ]);
  });
});
