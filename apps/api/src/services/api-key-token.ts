import { createHash, randomBytes } from 'node:crypto';

/** Every key flowq issues starts with this, so a leaked one is easy to recognise and grep for. */
export const API_KEY_PREFIX = 'fq_';

/** A new API key: 32 random bytes, URL-safe. Shown once to its creator; only its hash is kept. */
export function newApiKeyToken(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * What Postgres stores for a key. A plain SHA-256 is right here, unlike for passwords: a
 * key is 256 random bits, so there is nothing to guess a word at a time and a slow hash
 * (bcrypt, scrypt) would only slow every request. Looking the key up by its hash also keeps
 * the comparison out of reach of timing: the secret is never compared byte by byte.
 */
export function hashApiKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Callback signing secrets start with this, like Stripe's `whsec_`, so one is recognisable in a config file. */
export const SIGNING_SECRET_PREFIX = 'fqsig_';

/** A new callback signing secret (256 random bits). Shown once; kept sealed, because flowq must sign with it again. */
export function newSigningSecret(): string {
  return `${SIGNING_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}
