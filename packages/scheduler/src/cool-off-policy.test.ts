import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COOL_OFF_DEFAULTS, coolOff, nextUtcMidnight } from './cool-off-policy';

const NOW = new Date('2025-11-20T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('coolOff', () => {
  it('does nothing below the threshold', () => {
    expect(coolOff([], NOW)).toBeNull();
    expect(coolOff([ago(MIN), ago(2 * MIN)], NOW)).toBeNull();
  });

  it('rests the account three hours from the latest of three throttles within ten minutes', () => {
    expect(coolOff([ago(9 * MIN), ago(5 * MIN), ago(MIN)], NOW)).toEqual({ coolUntil: new Date(NOW.getTime() - MIN + 3 * HOUR) });
  });

  it('ignores throttles older than the window', () => {
    expect(coolOff([ago(10 * MIN), ago(5 * MIN), ago(MIN)], NOW)).toBeNull();
    expect(coolOff([ago(10 * MIN - 1), ago(5 * MIN), ago(MIN)], NOW)).not.toBeNull();
  });

  it('accepts ms timestamps in any order', () => {
    const at = [ago(MIN), ago(3 * MIN), ago(2 * MIN)].map((d) => d.getTime());
    expect(coolOff(at, NOW)?.coolUntil.getTime()).toBe(NOW.getTime() - MIN + 3 * HOUR);
  });

  it('counts a timestamp from a clock running ahead as now', () => {
    expect(coolOff([ago(MIN), ago(2 * MIN), new Date(NOW.getTime() + HOUR)], NOW)).toEqual({
      coolUntil: new Date(NOW.getTime() + 3 * HOUR),
    });
  });

  it('takes its threshold, window and duration from options', () => {
    const options = { threshold: 1, windowMs: 30 * MIN, durationMs: 30 * MIN };
    expect(coolOff([ago(20 * MIN)], NOW, options)).toEqual({ coolUntil: ago(-10 * MIN) });
    expect(coolOff([ago(40 * MIN)], NOW, options)).toBeNull();
  });

  it('gives the same end when asked again later (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 15 * MIN }), { maxLength: 8 }), fc.integer({ min: 0, max: MIN }), (agos, wait) => {
        const at = agos.map(ago);
        const first = coolOff(at, NOW);
        const again = coolOff(at, new Date(NOW.getTime() + wait));
        if (first && again) expect(again).toEqual(first);
        if (first) expect(first.coolUntil.getTime()).toBeGreaterThan(NOW.getTime() + COOL_OFF_DEFAULTS.durationMs - COOL_OFF_DEFAULTS.windowMs);
      }),
    );
  });
});

describe('nextUtcMidnight', () => {
  it.each([
    ['2025-11-20T12:00:00Z', '2025-11-21T00:00:00Z'],
    ['2025-11-20T00:00:00Z', '2025-11-21T00:00:00Z'],
    ['2025-11-20T23:59:59.999Z', '2025-11-21T00:00:00Z'],
    ['2025-12-31T18:00:00Z', '2026-01-01T00:00:00Z'],
    ['2028-02-28T05:00:00Z', '2028-02-29T00:00:00Z'],
    ['2025-11-20T20:00:00-08:00', '2025-11-22T00:00:00Z'],
  ])('after %s is %s', (now, midnight) => {
    expect(nextUtcMidnight(new Date(now))).toEqual(new Date(midnight));
  });
});
