import { UnsafeKeyError } from './media-store-errors';

// Segments start with a letter or digit, so "." and ".." (and hidden names) can never appear:
// a key can never leave the store's root, whatever the driver.
const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,127}){0,7}$/;

export function isSafeKey(key: string): boolean {
  return SAFE_KEY.test(key);
}

export function assertSafeKey(key: string): string {
  if (!isSafeKey(key)) throw new UnsafeKeyError(key);
  return key;
}

/** A prefix is a key's leading segments, optionally ending with "/"; "" lists everything. */
export function assertSafePrefix(prefix: string): string {
  if (prefix === '') return prefix;
  assertSafeKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}
