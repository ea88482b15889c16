import { describe, expect, it } from 'vitest';
import { nextUtcMidnight } from './utc-midnight';

describe('nextUtcMidnight', () => {
  it.each([
    { now: '2025-11-17T12:00:00.000Z', expected: '2025-11-18T00:00:00.000Z' },
    { now: '2025-11-17T23:59:59.999Z', expected: '2025-11-18T00:00:00.000Z' },
    { now: '2025-11-18T00:00:00.000Z', expected: '2025-11-19T00:00:00.000Z', why: 'exactly midnight: the next one' },
    { now: '2025-11-18T00:00:00.001Z', expected: '2025-11-19T00:00:00.000Z' },
    { now: '2025-11-30T18:00:00.000Z', expected: '2025-12-01T00:00:00.000Z', why: 'month end' },
    { now: '2025-12-31T23:30:00.000Z', expected: '2026-01-01T00:00:00.000Z', why: 'year end' },
    { now: '2028-02-28T10:00:00.000Z', expected: '2028-02-29T00:00:00.000Z', why: 'leap year' },
    { now: '2027-02-28T10:00:00.000Z', expected: '2027-03-01T00:00:00.000Z', why: 'not a leap year' },
    { now: '2025-11-17T20:00:00.000-05:00', expected: '2025-11-19T00:00:00.000Z', why: 'local evening is already the next UTC day' },
    { now: '2025-03-30T01:30:00.000Z', expected: '2025-03-31T00:00:00.000Z', why: 'European DST switch does not matter' },
  ])('$now -> $expected', ({ now, expected }) => {
    expect(nextUtcMidnight(new Date(now)).toISOString()).toBe(expected);
  });
});
