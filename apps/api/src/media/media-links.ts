import { signMediaPath } from './signed-media-link';

/** Turns flowq's stored media paths into the addresses a client is given. */
export interface MediaLinks {
  /** `PUBLIC_URL` + path: the permanent address, opened with the API key. */
  absolute(path: string): string;
  /** The same address signed to open without a key until it expires; null when no signing secret is set. */
  signed(path: string): string | null;
}

export function createMediaLinks(options: { publicUrl: string; signingSecret: string | undefined; ttlSeconds: number; now?: () => number }): MediaLinks {
  const now = options.now ?? Date.now;
  const secret = options.signingSecret;
  return {
    absolute: (path) => options.publicUrl + path,
    signed: (path) => {
      if (!secret) return null;
      // Rounded up to the next minute, so links handed out within one minute are identical (cacheable).
      const expires = Math.ceil((now() / 1000 + options.ttlSeconds) / 60) * 60;
      return options.publicUrl + signMediaPath(secret, path, expires);
    },
  };
}

/** The links of one process's configuration (PUBLIC_URL, MEDIA_SIGNING_SECRET, MEDIA_LINK_TTL_SECONDS). */
export function mediaLinksOf(config: { http: { publicUrl: string }; media: { signingSecret: string | undefined; linkTtlSeconds: number } }): MediaLinks {
  return createMediaLinks({ publicUrl: config.http.publicUrl, signingSecret: config.media.signingSecret, ttlSeconds: config.media.linkTtlSeconds });
}
