import { after503, NO_SERVICE_BACKOFF, servicePausedUntil, type ServiceBackoff, type ServiceBackoffOptions } from '@flowq/scheduler';
import { tokenGateKey } from '@flowq/queue';
import type { Redis } from 'ioredis';

export interface GateClosed {
  reason: 'token_invalid' | 'service_backoff';
  /** When to look again; for a bad token that is the next probe. */
  until: Date;
  message: string;
}

/**
 * Service-wide stops, shared by every worker through Redis: the useapi token refused (401:
 * nothing dispatches until a probe succeeds) and a run of 503s (exponential back-off of the
 * whole service). Neither counts against a job or an account.
 */
export function createDispatchGate(redis: Redis, prefix: string, opts: { tokenProbeIntervalMs: number; backoff?: ServiceBackoffOptions }) {
  const tokenKey = tokenGateKey(prefix);
  const backoffKey = `${prefix}:gate:service-backoff`;
  const readBackoff = (raw: string | null): ServiceBackoff => {
    if (!raw) return NO_SERVICE_BACKOFF;
    const parsed = JSON.parse(raw) as { consecutive: number; pausedUntil: string | null };
    return { consecutive: parsed.consecutive, pausedUntil: parsed.pausedUntil ? new Date(parsed.pausedUntil) : null };
  };

  // Whether this process last saw a 503 back-off in Redis: only then does a success need to clear it
  // (every process checks the gate before it submits, so the one that answers has seen it).
  let backoffSeen = true;

  /** The gate as its two keys say (read by `check`, or along with something else in one call: `keys`). */
  function judge([token, backoff]: readonly (string | null | undefined)[], now: Date): GateClosed | null {
    backoffSeen = backoff !== null && backoff !== undefined;
    if (token) return { reason: 'token_invalid', until: new Date(now.getTime() + opts.tokenProbeIntervalMs), message: token };
    const paused = servicePausedUntil(readBackoff(backoff ?? null), now);
    return paused ? { reason: 'service_backoff', until: paused, message: 'useapi answered 503 repeatedly' } : null;
  }

  return {
    /** The keys the gate is read from, in the order `judge` takes their values. */
    keys: [tokenKey, backoffKey] as const,
    judge,

    async check(now: Date): Promise<GateClosed | null> {
      return judge(await redis.mget(tokenKey, backoffKey), now);
    },

    /** Returns true when this call closed the gate (so the caller logs it once). */
    async tokenRefused(message: string): Promise<boolean> {
      return (await redis.set(tokenKey, message, 'NX')) === 'OK';
    },

    async tokenAccepted(): Promise<boolean> {
      return (await redis.del(tokenKey)) > 0;
    },

    async isTokenRefused(): Promise<string | null> {
      return redis.get(tokenKey);
    },

    async serviceUnavailable(now: Date): Promise<ServiceBackoff> {
      // Read-modify-write without a lock: two workers counting the same 503 only pause a little longer.
      const next = after503(readBackoff(await redis.get(backoffKey)), now, opts.backoff);
      await redis.set(backoffKey, JSON.stringify(next), 'PX', 3_600_000);
      backoffSeen = true;
      return next;
    },

    async serviceAnswered(): Promise<void> {
      if (!backoffSeen) return;
      backoffSeen = false;
      await redis.del(backoffKey);
    },
  };
}

export type DispatchGate = ReturnType<typeof createDispatchGate>;
