import { describe, expect, it } from 'vitest';
import { boundedLabel } from './bounded-label';

describe('boundedLabel', () => {
  it.each([
    ['PUBLIC_ERROR_USER_QUOTA_REACHED', 'PUBLIC_ERROR_USER_QUOTA_REACHED'],
    ['no_eligible_account', 'no_eligible_account'],
    ['has "quotes" and\nnewlines', 'has__quotes__and_newlines'],
    ['', 'none'],
    ['x'.repeat(100), 'x'.repeat(64)],
  ])('%j becomes %j', (value, expected) => {
    expect(boundedLabel(new Set(), value)).toBe(expected);
  });

  it('keeps values it has seen and folds new ones into `other` past the limit', () => {
    const seen = new Set<string>();
    expect(boundedLabel(seen, 'a', 2)).toBe('a');
    expect(boundedLabel(seen, 'b', 2)).toBe('b');
    expect(boundedLabel(seen, 'c', 2)).toBe('other');
    expect(boundedLabel(seen, 'a', 2)).toBe('a');
  });
});
