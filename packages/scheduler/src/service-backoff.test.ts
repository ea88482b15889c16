import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_SERVICE_BACKOFF, type ServiceBackoff, after503, afterServiceSuccess, serviceDelayMs, servicePausedUntil } from './service-backoff';

const NOW = new Date('2025-11-20T12:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);

describe('serviceDelayMs', () => {
  it.each([
    [0, 0],
    [1, 5_000],
    [2, 5_000],
    [3, 5_000],
    [4, 10_000],
    [5, 20_000],
    [6, 40_000],
    [8, 160_000],
    [9, 300_000],
    [10_000, 300_000],
  ])('after %i 503s in a row pauses %i ms', (n, ms) => {
    expect(serviceDelayMs(n)).toBe(ms);
  });

  it('takes base, flat attempts and cap from options', () => {
    expect(serviceDelayMs(1, { baseMs: 1000, flatAttempts: 0, capMs: 3000 })).toBe(2000);
    expect(serviceDelayMs(3, { baseMs: 1000, flatAttempts: 0, capMs: 3000 })).toBe(3000);
  });

  it('never shrinks as 503s pile up and never passes the cap (property)', () => {
    fc.assert(
      fc.property(fc.nat(2000), (n) => {
        expect(serviceDelayMs(n + 1)).toBeGreaterThanOrEqual(serviceDelayMs(n));
        expect(serviceDelayMs(n)).toBeLessThanOrEqual(300_000);
      }),
    );
  });
});

describe('after503 / afterServiceSuccess', () => {
  it('pauses, escalates on each 503 after the pause ends, and resets on success', () => {
    let s: ServiceBackoff = NO_SERVICE_BACKOFF;
    let t = 0;
    const pauses: number[] = [];
    for (let i = 0; i < 6; i++) {
      s = after503(s, at(t));
      pauses.push(s.pausedUntil!.getTime() - at(t).getTime());
      t = s.pausedUntil!.getTime() - NOW.getTime();
    }
    expect(pauses).toEqual([5_000, 5_000, 5_000, 10_000, 20_000, 40_000]);
    expect(s.consecutive).toBe(6);
    s = afterServiceSuccess();
    expect(s).toEqual({ consecutive: 0, pausedUntil: null });
    expect(after503(s, at(t)).pausedUntil).toEqual(at(t + 5_000));
  });

  it('does not escalate on 503s from requests already in flight during a pause', () => {
    const first = after503(NO_SERVICE_BACKOFF, NOW);
    expect(after503(first, at(1_000))).toBe(first);
    expect(after503(first, at(5_000)).consecutive).toBe(2);
  });

  it('servicePausedUntil says whether submissions must wait', () => {
    const s = after503(NO_SERVICE_BACKOFF, NOW);
    expect(servicePausedUntil(s, at(4_999))).toEqual(at(5_000));
    expect(servicePausedUntil(s, at(5_000))).toBeNull();
    expect(servicePausedUntil(NO_SERVICE_BACKOFF, NOW)).toBeNull();
  });
});
