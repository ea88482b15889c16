export interface CoolOffOptions {
  /** Throttles within the window that trigger a cool-off. Default 3. */
  threshold?: number;
  /** How far back throttles count. Default 10 minutes. */
  windowMs?: number;
  /** How long the account rests. Default 3 hours. */
  durationMs?: number;
}

export const COOL_OFF_DEFAULTS = {
  threshold: 3,
  windowMs: 10 * 60_000,
  // useapi's own balancer quarantines a throttled account for ~30 min; Google keeps throttling
  // an account that comes back too soon, so after repeated 429s we rest it for hours.
  durationMs: 3 * 60 * 60_000,
} as const satisfies Required<CoolOffOptions>;

/**
 * Whether an account that got `PUBLIC_ERROR_USER_REQUESTS_THROTTLED` at `throttledAt` should
 * rest. The cool-off runs from the latest throttle, not from `now`, so deciding again later
 * (another worker, a retry) gives the same end instead of pushing it further out.
 * Timestamps after `now` (another machine's clock running ahead) count as `now`.
 */
export function coolOff(throttledAt: readonly (Date | number)[], now: Date, options: CoolOffOptions = {}): { coolUntil: Date } | null {
  const { threshold, windowMs, durationMs } = { ...COOL_OFF_DEFAULTS, ...options };
  const t = now.getTime();
  const recent = throttledAt.map((at) => Math.min(typeof at === 'number' ? at : at.getTime(), t)).filter((at) => at > t - windowMs);
  if (recent.length < threshold) return null;
  return { coolUntil: new Date(Math.max(...recent) + durationMs) };
}

/** The next 00:00 UTC strictly after `now`: when Google resets daily and per-model quotas. */
export function nextUtcMidnight(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}
