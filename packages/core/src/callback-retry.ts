/**
 * When a client callback that was not answered with a 2xx is tried again: exponential
 * backoff from `baseMs`, capped at `maxMs`, with full jitter (a receiver that comes back
 * is not hit by every delivery at the same instant), and no attempt later than
 * `giveUpAfterMs` after the event. The defaults (10 s, 1 h, 24 h) are what the docs promise;
 * the fault suite shrinks them to compress a 10-minute outage into seconds.
 */
export interface CallbackRetryPolicy {
  baseMs: number;
  maxMs: number;
  giveUpAfterMs: number;
}

export const DEFAULT_CALLBACK_RETRY: CallbackRetryPolicy = { baseMs: 10_000, maxMs: 3_600_000, giveUpAfterMs: 24 * 3_600_000 };

/**
 * The time of the next attempt after `attempts` failed ones of an event created at
 * `createdAt`, or null when the next one would fall past the give-up horizon. `random` in
 * [0, 1) draws the jitter; the wait is at least half the backoff step so retries never bunch
 * right after a failure.
 */
export function nextCallbackAttempt(attempts: number, createdAt: Date, now: Date, policy: CallbackRetryPolicy, random: () => number): Date | null {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  const wait = step / 2 + (step / 2) * random();
  const at = now.getTime() + wait;
  const horizon = createdAt.getTime() + policy.giveUpAfterMs;
  if (now.getTime() >= horizon) return null;
  // The last try lands on the horizon itself rather than being skipped.
  return new Date(Math.min(at, horizon));
}
