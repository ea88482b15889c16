import { describe, expect, it } from 'vitest';
import { metricsAccessAllowed } from './metrics-access';

describe('metricsAccessAllowed', () => {
  it.each([
    [undefined, undefined, true],
    [undefined, 'Bearer anything', true],
    ['s3cret', undefined, false],
    ['s3cret', 'Bearer s3cret', true],
    ['s3cret', 'bearer s3cret', true],
    ['s3cret', 'Bearer s3cre', false],
    ['s3cret', 's3cret', false],
    ['s3cret', 'Basic czNjcmV0', false],
  ] as const)('token %j, header %j: %j', (token, header, allowed) => {
    expect(metricsAccessAllowed(token, header)).toBe(allowed);
  });
});
