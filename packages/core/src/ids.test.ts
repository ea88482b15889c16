import { describe, expect, it } from 'vitest';
import { ID_PATTERN, newId, newSecret } from './ids';

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

describe('newSecret', () => {
  it('32 random bytes, base64url, all different, across several draws of the pool', () => {
    const secrets = Array.from({ length: 1_000 }, () => newSecret());
    for (const s of secrets) {
      expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(s, 'base64url')).toHaveLength(32);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
  });
});
