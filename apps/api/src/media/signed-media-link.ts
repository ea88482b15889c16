import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed media links: `?expires=<unix seconds>&sig=<HMAC-SHA256(secret, "<path>\n<expires>")>`,
 * so `<video src>`, curl and download managers fetch a file without an Authorization header,
 * until the link expires. The path is part of what is signed, so a link opens one file only.
 */
function signature(secret: string, path: string, expires: number): string {
  return createHmac('sha256', secret).update(`${path}\n${expires}`).digest('base64url');
}

export function signMediaPath(secret: string, path: string, expires: number): string {
  return `${path}?expires=${expires}&sig=${signature(secret, path, expires)}`;
}

export type SignedLinkVerdict = 'valid' | 'expired' | 'bad_signature';

export function verifyMediaLink(secret: string, path: string, query: { expires?: unknown; sig?: unknown }, nowSeconds: number): SignedLinkVerdict {
  const expires = typeof query.expires === 'string' && /^\d{1,12}$/.test(query.expires) ? Number(query.expires) : Number.NaN;
  if (!Number.isFinite(expires) || typeof query.sig !== 'string') return 'bad_signature';
  const expected = Buffer.from(signature(secret, path, expires));
  const given = Buffer.from(query.sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'bad_signature';
  return expires > nowSeconds ? 'valid' : 'expired';
}
