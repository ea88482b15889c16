import { describe, expect, it } from 'vitest';
import { openSecret, sealSecret } from './secret-box';

const key = 'a-master-key-of-at-least-32-characters!!';

describe('secret box', () => {
  it('opens what it sealed, and the sealed form does not contain the secret', () => {
    const sealed = sealSecret(key, 'fqsig_abc');
    expect(sealed).not.toContain('fqsig_abc');
    expect(openSecret(key, sealed)).toBe('fqsig_abc');
  });

  it('seals the same secret differently each time (random IV)', () => {
    expect(sealSecret(key, 's')).not.toBe(sealSecret(key, 's'));
  });

  it.each([
    ['under another master key', (s: string) => s, 'another-master-key-of-32-characters-long'],
    ['with a flipped ciphertext byte', (s: string) => s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') + s.at(-1), key],
    ['in an unknown format', () => 'v0.x.y.z', key],
  ])('refuses a value %s', (_what, alter, master) => {
    expect(openSecret(master, alter(sealSecret(key, 'fqsig_abc')))).toBeNull();
  });
});
