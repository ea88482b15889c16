import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after';

const NOW = new Date('2025-11-17T12:00:00.000Z');

describe('parseRetryAfter', () => {
  it.each([
    { value: '120', expected: '2025-11-17T12:02:00.000Z' },
    { value: ' 0 ', expected: '2025-11-17T12:00:00.000Z' },
    { value: 'Mon, 17 Nov 2025 13:00:00 GMT', expected: '2025-11-17T13:00:00.000Z' },
    { value: '-5', expected: undefined },
    { value: 'soon', expected: undefined },
    { value: '', expected: undefined },
    { value: null, expected: undefined },
  ])('$value', ({ value, expected }) => {
    expect(parseRetryAfter(value, NOW)?.toISOString()).toBe(expected);
  });
});
