/**
 * An uploaded image's mediaGenerationId names its account: `user:<id>-email:<hex of email>-image:<uuid>`.
 * useapi infers the account from it, and so does flowq. Returns null when the id has no such part.
 */
export function accountOfMediaId(mediaGenerationId: string): string | null {
  const match = /(?:^|-)email:([0-9a-f]+)(?:-|$)/i.exec(mediaGenerationId);
  if (!match) return null;
  const hex = match[1]!;
  if (hex.length % 2 !== 0) return null;
  const email = Buffer.from(hex, 'hex').toString('utf8');
  return email.includes('@') ? email : null;
}

export function hexOfEmail(email: string): string {
  return Buffer.from(email, 'utf8').toString('hex');
}
