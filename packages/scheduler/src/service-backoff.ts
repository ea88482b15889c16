/**
 * Service-wide back-off after 503s. A 503 from useapi means Google, useapi or its captcha
 * provider is down for everyone, so switching accounts does not help: every worker pauses.
 */
export interface ServiceBackoff {
  /** 503s in a row that escalated the pause. */
  consecutive: number;
  /** No submissions before this moment; null when not paused. */
  pausedUntil: Date | null;
}

export interface ServiceBackoffOptions {
  /** The pause after a lone 503. Default 5 s (the notes: 503 is safe to retry after 5-10 s). */
  baseMs?: number;
  /** 503s in a row paused for `baseMs` before the pause starts doubling. Default 3. */
  flatAttempts?: number;
  /** Longest pause. Default 5 minutes. */
  capMs?: number;
}

export const SERVICE_BACKOFF_DEFAULTS = {
  baseMs: 5_000,
  flatAttempts: 3,
  capMs: 5 * 60_000,
} as const satisfies Required<ServiceBackoffOptions>;

export const NO_SERVICE_BACKOFF: ServiceBackoff = Object.freeze({ consecutive: 0, pausedUntil: null });

/** The pause after the `consecutive`-th 503 in a row: 5 s, 5 s, 5 s, 10 s, 20 s ... up to 5 min. */
export function serviceDelayMs(consecutive: number, options: ServiceBackoffOptions = {}): number {
  const { baseMs, flatAttempts, capMs } = { ...SERVICE_BACKOFF_DEFAULTS, ...options };
  if (consecutive <= 0) return 0;
  const doublings = Math.max(0, consecutive - flatAttempts);
  // Capped before exponentiating so a long outage cannot overflow to Infinity.
  return Math.min(capMs, baseMs * 2 ** Math.min(doublings, 52));
}

/**
 * The state after a 503 observed at `now`. A 503 that arrives while already paused does not
 * escalate: with many workers, the requests that were in flight when the first 503 came back
 * fail together, and counting each would jump straight to the longest pause.
 */
export function after503(state: ServiceBackoff, now: Date, options: ServiceBackoffOptions = {}): ServiceBackoff {
  if (state.pausedUntil && state.pausedUntil.getTime() > now.getTime()) return state;
  const consecutive = state.consecutive + 1;
  return { consecutive, pausedUntil: new Date(now.getTime() + serviceDelayMs(consecutive, options)) };
}

/** Any answer that is not a 503 shows the service is back: the count starts over. */
export function afterServiceSuccess(): ServiceBackoff {
  return NO_SERVICE_BACKOFF;
}

/** When submissions may resume, or null when they may go now. */
export function servicePausedUntil(state: ServiceBackoff, now: Date): Date | null {
  return state.pausedUntil && state.pausedUntil.getTime() > now.getTime() ? state.pausedUntil : null;
}
