/**
 * An account's working concurrency limit: how many generations flowq runs on it at once. The
 * configured limit is a ceiling; Google's real limit differs by account and plan and useapi calls
 * it "dynamic", so flowq learns it. A throttling 429 cuts the limit to just under the level the
 * refused submission was at; clean completions raise it again, one slot at a time and slowly
 * (each raise that is refused multiplies the wait before the next). Only 429s at a limit that has
 * already been cut and has since seen a generation complete (or with one slot running) count
 * toward a cool-off: a limit set too high costs a few refused submissions, not hours of capacity.
 */
export interface WorkingLimit {
  /** Slots flowq uses now, 1..ceiling. */
  limit: number;
  /** The limit has been cut since it was last at the ceiling. */
  cut: boolean;
  /** The last change was a raise: a 429 at exactly `limit` means that raise went too far. */
  probing: boolean;
  /** Clean completions since the limit last changed. */
  clean: number;
  /** Raises refused in a row; the next raise waits raiseAfter x raiseBackoff^refusedRaises completions. */
  refusedRaises: number;
}

export type LimitEvent =
  /**
   * A throttling 429 (`PUBLIC_ERROR_USER_REQUESTS_THROTTLED`, Google's per-account concurrency
   * cap). `running`: the slots held on the account when the answer came, the refused one
   * included (the 429 says fewer fit). `limitAtAcquire`: the working limit its slot was taken
   * under (submissions arrive upstream in any order, so the slot's own rank says little).
   */
  | { kind: 'throttled'; running: number; limitAtAcquire: number }
  /** A generation that ended well. */
  | { kind: 'completed' };

export interface LimitDecision {
  next: WorkingLimit;
  /** `limit` changed: share the new state. */
  changed: boolean;
  /** The 429 counts toward the account's cool-off (429s go on at a limit already cut). */
  countsTowardCoolOff: boolean;
}

export interface WorkingLimitSettings {
  /** Clean completions below the ceiling before the first raise after a change. Default 50. */
  raiseAfter: number;
  /** Each refused raise multiplies the wait before the next by this. Default 4. */
  raiseBackoff: number;
}

export const WORKING_LIMIT_DEFAULTS: WorkingLimitSettings = { raiseAfter: 50, raiseBackoff: 4 };

/** An account never cut, or a limit read back clamped to the (maybe newly configured) ceiling. */
export function initialWorkingLimit(ceiling: number, stored?: number | null): WorkingLimit {
  const limit = clamp(stored ?? ceiling, ceiling);
  return { limit, cut: limit < ceiling, probing: false, clean: 0, refusedRaises: 0 };
}

function clamp(limit: number, ceiling: number): number {
  return Math.max(1, Math.min(Math.floor(limit), Math.max(1, ceiling)));
}

/** What the working limit becomes after `event`, and whether a 429 counts toward a cool-off. */
export function nextWorkingLimit(
  state: WorkingLimit,
  event: LimitEvent,
  ceiling: number,
  settings: WorkingLimitSettings = WORKING_LIMIT_DEFAULTS,
): LimitDecision {
  const current = { ...state, limit: clamp(state.limit, ceiling) };
  if (event.kind === 'completed') {
    if (current.limit >= ceiling)
      return { next: { ...current, clean: 0, cut: false, probing: false }, changed: current.limit !== state.limit, countsTowardCoolOff: false };
    const clean = current.clean + 1;
    if (clean < settings.raiseAfter * settings.raiseBackoff ** current.refusedRaises)
      return { next: { ...current, clean }, changed: false, countsTowardCoolOff: false };
    const limit = current.limit + 1;
    return { next: { ...current, limit, cut: limit < ceiling, probing: true, clean: 0 }, changed: true, countsTowardCoolOff: false };
  }
  const running = Math.max(1, Math.floor(event.running));
  // Refused while running alone: no limit explains it.
  if (running === 1) {
    const next = { ...current, limit: 1, cut: current.cut || current.limit > 1, probing: false, clean: 0 };
    return { next, changed: current.limit !== 1, countsTowardCoolOff: true };
  }
  const limit = Math.max(1, Math.min(current.limit - 1, running - 1));
  const next = (refusedRaises: number): WorkingLimit => ({ limit, cut: true, probing: false, clean: 0, refusedRaises });
  // Taken under an older, higher limit (the cut that covers it is made or under way): lower the
  // limit to what is running, never count it.
  if (event.limitAtAcquire > current.limit) {
    const lower = Math.max(1, Math.min(current.limit, running - 1));
    if (lower === current.limit) return { next: current, changed: false, countsTowardCoolOff: false };
    return { next: { ...next(current.refusedRaises), limit: lower }, changed: true, countsTowardCoolOff: false };
  }
  // The slot a raise just added was refused: back down, and wait longer before trying again.
  if (current.probing) return { next: next(current.refusedRaises + 1), changed: true, countsTowardCoolOff: false };
  // The first 429 under the configured limit: the ceiling is too high for this account.
  if (!current.cut) return { next: next(current.refusedRaises), changed: true, countsTowardCoolOff: false };
  // A cut limit no generation has yet completed under is still a guess (the first cut only knows
  // "fewer than were running"): stepping down from it is learning, not a sign of trouble.
  if (current.clean === 0) return { next: next(current.refusedRaises), changed: limit !== current.limit, countsTowardCoolOff: false };
  // Refused under a limit already learned: not (only) concurrency, or the account's limit fell.
  return { next: next(current.refusedRaises), changed: limit !== current.limit, countsTowardCoolOff: true };
}
