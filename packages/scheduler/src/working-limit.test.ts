import { describe, expect, it } from 'vitest';
import { initialWorkingLimit, nextWorkingLimit, type LimitEvent, type WorkingLimit } from './working-limit';

const at = (limit: number, more: Partial<WorkingLimit> = {}): WorkingLimit => ({ limit, cut: limit < 4, probing: false, clean: 0, refusedRaises: 0, ...more });
/** A 429 with `running` slots held at the answer, for a slot taken under `under` (default: the state's limit). */
const throttled = (running: number, under?: number): LimitEvent => ({ kind: 'throttled', running, limitAtAcquire: under ?? -1 });
const completed: LimitEvent = { kind: 'completed' };

/** Fills in limitAtAcquire = the state's own limit where the case leaves it out. */
const withUnder = (state: WorkingLimit, e: LimitEvent): LimitEvent =>
  e.kind === 'throttled' && e.limitAtAcquire < 0 ? { ...e, limitAtAcquire: state.limit } : e;

describe('nextWorkingLimit (ceiling 4, first raise after 3 clean completions)', () => {
  const cases: [string, WorkingLimit, LimitEvent, { limit: number; changed: boolean; counts: boolean; more?: Partial<WorkingLimit> }][] = [
    [
      'first 429 at the ceiling, 3 running: cut to 2, no cool-off',
      at(4, { cut: false }),
      throttled(3),
      { limit: 2, changed: true, counts: false, more: { cut: true } },
    ],
    ['first 429 with the ceiling full: one less', at(4, { cut: false }), throttled(4), { limit: 3, changed: true, counts: false }],
    [
      'first 429 with more running than the limit (leases restored over it): one less',
      at(4, { cut: false }),
      throttled(6),
      { limit: 3, changed: true, counts: false },
    ],
    [
      'a 429 for a slot taken under an older, higher limit: lowered to what runs, never counted',
      at(3),
      throttled(3, 4),
      { limit: 2, changed: true, counts: false },
    ],
    ['... and nothing when the limit is already that low', at(2), throttled(4, 4), { limit: 2, changed: false, counts: false }],
    [
      '429s go on under a limit already cut and proven by a completion: cut again and count toward cool-off',
      at(2, { clean: 1 }),
      throttled(2),
      { limit: 1, changed: true, counts: true },
    ],
    [
      'a 429 under a cut limit nothing has completed under yet: still learning, cut again, not counted',
      at(3),
      throttled(3),
      { limit: 2, changed: true, counts: false },
    ],
    ['at 1 slot a 429 still counts, the limit stays 1', at(1), throttled(1), { limit: 1, changed: false, counts: true }],
    [
      'refused while running alone, at a ceiling never cut: counts (no limit explains it)',
      at(4, { cut: false }),
      throttled(1),
      { limit: 1, changed: true, counts: true },
    ],
    [
      'a 429 under a limit just raised: back down, no cool-off, the next raise waits longer',
      at(3, { probing: true }),
      throttled(3),
      { limit: 2, changed: true, counts: false, more: { refusedRaises: 1, probing: false } },
    ],
    [
      'a raise back to the ceiling refused is a refused raise, not a first 429',
      at(4, { cut: false, probing: true }),
      throttled(4),
      { limit: 3, changed: true, counts: false, more: { refusedRaises: 1 } },
    ],
    [
      'a clean completion below the ceiling counts toward a raise',
      at(2, { clean: 1 }),
      completed,
      { limit: 2, changed: false, counts: false, more: { clean: 2 } },
    ],
    [
      'enough clean completions: one slot more, probing',
      at(2, { clean: 2 }),
      completed,
      { limit: 3, changed: true, counts: false, more: { clean: 0, probing: true } },
    ],
    [
      'after a refused raise it waits 4x as long',
      at(2, { clean: 2, refusedRaises: 1 }),
      completed,
      { limit: 2, changed: false, counts: false, more: { clean: 3 } },
    ],
    ['... and raises at 12', at(2, { clean: 11, refusedRaises: 1 }), completed, { limit: 3, changed: true, counts: false }],
    ['a raise to the ceiling leaves the limit uncut', at(3, { clean: 2 }), completed, { limit: 4, changed: true, counts: false, more: { cut: false } }],
    ['at the ceiling completions change nothing', at(4, { cut: false }), completed, { limit: 4, changed: false, counts: false, more: { clean: 0 } }],
    ['a ceiling lowered by configuration clamps the limit', at(6, { cut: false }), completed, { limit: 4, changed: true, counts: false }],
  ];
  it.each(cases)('%s', (_name, state, event, want) => {
    const d = nextWorkingLimit(state, withUnder(state, event), 4, { raiseAfter: 3, raiseBackoff: 4 });
    expect(d.next.limit).toBe(want.limit);
    expect(d.changed).toBe(want.changed);
    expect(d.countsTowardCoolOff).toBe(want.counts);
    if (want.more) expect(d.next).toMatchObject(want.more);
  });

  it('takes its pace from the settings: raiseAfter x raiseBackoff^refusedRaises clean completions', () => {
    const settings = { raiseAfter: 10, raiseBackoff: 2 };
    const refusedOnce = at(2, { refusedRaises: 1 });
    expect(nextWorkingLimit({ ...refusedOnce, clean: 18 }, completed, 4, settings).changed).toBe(false);
    expect(nextWorkingLimit({ ...refusedOnce, clean: 19 }, completed, 4, settings).next.limit).toBe(3);
    expect(nextWorkingLimit(at(2, { clean: 49 }), completed, 4).next.limit).toBe(3);
  });

  it('starts at the ceiling, or at a persisted limit clamped to it', () => {
    expect(initialWorkingLimit(4)).toEqual({ limit: 4, cut: false, probing: false, clean: 0, refusedRaises: 0 });
    expect(initialWorkingLimit(4, 2)).toMatchObject({ limit: 2, cut: true });
    expect(initialWorkingLimit(4, 9)).toMatchObject({ limit: 4, cut: false });
  });

  it('learns a hidden limit of 2 from a ceiling of 4 in one cut, never counts toward a cool-off, and probes rarely', () => {
    let s = initialWorkingLimit(4);
    let refusals = 0;
    let counted = 0;
    const event = (e: LimitEvent) => {
      const d = nextWorkingLimit(s, e, 4);
      s = d.next;
      if (d.countsTowardCoolOff) counted++;
    };
    // Four taken at once under the ceiling; two are refused, in either order, with all four held.
    event(throttled(4, 4));
    event(throttled(4, 4));
    refusals += 2;
    expect(s.limit).toBe(3);
    // The second refusal's slot went meanwhile: three held when its answer came.
    event(throttled(3, 4));
    expect(s.limit).toBe(2);
    for (let job = 0; job < 200; job++) {
      if (s.limit > 2) {
        event(throttled(s.limit, s.limit));
        refusals++;
      } else event(completed);
    }
    expect(s.limit).toBe(2);
    expect(counted).toBe(0);
    expect(refusals).toBeLessThanOrEqual(5);
  });
});
