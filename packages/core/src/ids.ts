import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) out += ALPHABET[b % 32];
  return out;
}

/**
 * A prefixed, time-ordered id (`job_01hx...`): sorts by creation time, so keyset
 * pagination can use it alone, and says what it names when it shows up in a log.
 */
export function newId(prefix: 'job' | 'att' | 'bat' | 'acct' | 'key' | 'dlv' | 'img', now = Date.now()): string {
  return `${prefix}_${encodeTime(now)}${encodeRandom(randomBytes(12))}`;
}

/** An unguessable secret for webhook URLs (256 bits, URL-safe). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export const ID_PATTERN = /^(job|att|bat|acct|key|dlv|img)_[0-9a-z]{22}$/;
