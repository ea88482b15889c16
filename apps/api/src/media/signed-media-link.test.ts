import { describe, expect, it } from 'vitest';
import { signMediaPath, verifyMediaLink } from './signed-media-link';

const secret = 'a-test-secret-of-at-least-32-characters';
const path = '/v1/media/job_01/0.mp4';
const queryOf = (link: string) => Object.fromEntries(new URL(link, 'http://x').searchParams);

describe('signed media links', () => {
  const link = signMediaPath(secret, path, 2_000);

  it.each([
    ['a fresh link', secret, path, queryOf(link), 1_999, 'valid'],
    ['the same link once expired', secret, path, queryOf(link), 2_000, 'expired'],
    ['the link used for another file', secret, '/v1/media/job_01/1.mp4', queryOf(link), 1_000, 'bad_signature'],
    ['the link with its expiry pushed back', secret, path, { ...queryOf(link), expires: '9999999' }, 1_000, 'bad_signature'],
    ['a link signed with another secret', 'another-secret-of-at-least-32-characters', path, queryOf(link), 1_000, 'bad_signature'],
    ['no signature', secret, path, { expires: '2000' }, 1_000, 'bad_signature'],
    ['a non-numeric expiry', secret, path, { ...queryOf(link), expires: '2e3' }, 1_000, 'bad_signature'],
    ['a signature of another length', secret, path, { ...queryOf(link), sig: 'abc' }, 1_000, 'bad_signature'],
  ] as const)('%s: %s', (_name, key, p, query, now, verdict) => {
    expect(verifyMediaLink(key, p, query, now)).toBe(verdict);
  });

  it('puts the expiry and signature in the query string', () => {
    expect(link).toMatch(/^\/v1\/media\/job_01\/0\.mp4\?expires=2000&sig=[A-Za-z0-9_-]{43}$/);
  });
});
