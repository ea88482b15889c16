import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets flowq must be able to use again later (a key's callback signing secret), so they
 * cannot be stored as a hash. They are sealed with AES-256-GCM under a key derived from
 * FLOWQ_SECRET_KEY, which lives in the environment, never in Postgres: a database dump or
 * backup alone does not reveal them, and GCM's tag refuses a value that was tampered with.
 * Format: `v1.<iv>.<tag>.<ciphertext>`, each part base64url.
 */
function keyOf(masterKey: string): Buffer {
  return createHash('sha256').update(`flowq secret box v1\0${masterKey}`).digest();
}

export function sealSecret(masterKey: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(masterKey), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** The plaintext, or null when the value was sealed under another key or altered. */
export function openSecret(masterKey: string, sealed: string): string | null {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(masterKey), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
