import { describe, expect, it } from 'vitest';
import { DEFAULT_CALLBACK_RETRY, nextCallbackAttempt } from './callback-retry';

const created = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(created.getTime() + ms);

describe('nextCallbackAttempt', () => {
  it.each([
    // attempts failed, now (ms after the event), random, expected wait (ms)
    [1, 0, 0, 5_000],
    [1, 0, 0.999999, 10_000],
    [2, 10_000, 0, 10_000],
    [3, 30_000, 0, 20_000],
    [6, 300_000, 0, 160_000],
    // capped at maxMs (1 h): 10 s x 2^12 would be 11 h
    [13, 3_600_000, 0, 1_800_000],
    [13, 3_600_000, 0.999999, 3_600_000],
  ])('after %i failed attempts at +%i ms with jitter %f it waits %i ms', (attempts, now, random, wait) => {
    const next = nextCallbackAttempt(attempts, created, at(now), DEFAULT_CALLBACK_RETRY, () => random);
    expect(next!.getTime() - at(now).getTime()).toBeCloseTo(wait, -1);
  });

  it('never schedules past 24 h after the event: the last try lands on the horizon', () => {
    const next = nextCallbackAttempt(20, created, at(24 * 3_600_000 - 60_000), DEFAULT_CALLBACK_RETRY, () => 0.9);
    expect(next).toEqual(at(24 * 3_600_000));
  });

  it('gives up at the horizon', () => {
    expect(nextCallbackAttempt(20, created, at(24 * 3_600_000), DEFAULT_CALLBACK_RETRY, () => 0.5)).toBeNull();
  });

  it('keeps retrying across a 10-minute outage: attempts stay within the backoff cap and never bunch', () => {
    let now = 0;
    const waits: number[] = [];
    for (let attempts = 1; now < 600_000; attempts++) {
      const next = nextCallbackAttempt(attempts, created, at(now), DEFAULT_CALLBACK_RETRY, Math.random)!;
      waits.push(next.getTime() - at(now).getTime());
      now = next.getTime() - created.getTime();
    }
    expect(waits.length).toBeGreaterThanOrEqual(4);
    expect(waits.every((w) => w >= 5_000 && w <= DEFAULT_CALLBACK_RETRY.maxMs)).toBe(true);
  });
});
