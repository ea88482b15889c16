import type { Redis } from 'ioredis';

/** Wrong Bull Board passwords one client address may try per window before it is refused with 429. */
export const BOARD_LOGIN_FAILURES_PER_WINDOW = 10;
export const BOARD_LOGIN_WINDOW_MS = 60_000;

/**
 * Failed logins counted per client address in Redis (a fixed window that starts at the first
 * failure), so every API process behind a load balancer shares one count. When Redis does not
 * answer, logins are not throttled: the board stays usable and its password still guards it.
 */
export function createLoginThrottle(redis: Redis, prefix: string, opts = { max: BOARD_LOGIN_FAILURES_PER_WINDOW, windowMs: BOARD_LOGIN_WINDOW_MS }) {
  const keyOf = (address: string) => `${prefix}:board-login-failures:${address}`;
  return {
    max: opts.max,
    /** Seconds until `address` may try again; 0 when it may try now. */
    async retryAfterSeconds(address: string): Promise<number> {
      try {
        const answers = await redis.multi().get(keyOf(address)).pttl(keyOf(address)).exec();
        const failures = Number(answers?.[0]?.[1] ?? 0);
        const ttl = Number(answers?.[1]?.[1] ?? 0);
        return failures >= opts.max ? Math.max(1, Math.ceil(ttl / 1000)) : 0;
      } catch {
        return 0;
      }
    },
    async recordFailure(address: string): Promise<void> {
      await redis
        .multi()
        .set(keyOf(address), 0, 'PX', opts.windowMs, 'NX')
        .incr(keyOf(address))
        .exec()
        .catch(() => undefined);
    },
  };
}
