import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type MediaKind = 'mp4' | 'jpg';

/**
 * Signed media URLs, in the manner of Google's signed storage URLs: the expiry is part of the
 * URL and of its signature, so a URL stops working after `ttlMs` whatever the client does.
 * `revokeAll()` makes every URL signed so far fail at once (a new signing generation).
 */
export class MediaUrlSigner {
  private readonly secret = randomBytes(32);
  private generation = 0;

  constructor(
    private readonly origin: () => string,
    private readonly ttlMs: number,
  ) {}

  sign(uuid: string, kind: MediaKind, now: number): string {
    const expires = now + this.ttlMs;
    return `${this.origin()}/media/${uuid}.${kind}?expires=${expires}&gen=${this.generation}&sig=${this.signature(uuid, kind, expires, this.generation)}`;
  }

  /** `valid`, or why the URL is refused. */
  check(uuid: string, kind: MediaKind, query: { expires?: string; gen?: string; sig?: string }, now: number): 'valid' | 'expired' | 'bad-signature' {
    const expires = Number(query.expires);
    const generation = Number(query.gen);
    if (!Number.isFinite(expires) || !Number.isInteger(generation) || typeof query.sig !== 'string') return 'bad-signature';
    const expected = Buffer.from(this.signature(uuid, kind, expires, generation));
    const given = Buffer.from(query.sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'bad-signature';
    if (generation !== this.generation || expires <= now) return 'expired';
    return 'valid';
  }

  revokeAll(): void {
    this.generation += 1;
  }

  private signature(uuid: string, kind: MediaKind, expires: number, generation: number): string {
    return createHmac('sha256', this.secret).update(`${uuid}.${kind}|${expires}|${generation}`).digest('hex').slice(0, 32);
  }
}
