import { describe, expect, it } from 'vitest';
import { ID_PATTERN, newId } from './ids';

describe('newId', () => {
  it('gives distinct, well-formed ids across many refills of its random pool', () => {
    const ids = Array.from({ length: 5_000 }, () => newId('job', 1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 300)) expect(id).toMatch(ID_PATTERN);
  });

  it('sorts by creation time', () => {
    const earlier = newId('bat', 1_700_000_000_000);
    const later = newId('bat', 1_700_000_000_001);
    expect(earlier < later).toBe(true);
  });
});
