/**
 * A job found in `submitting` when a step starts: a worker died (or lost its BullMQ lock)
 * between recording a submit attempt and writing its answer. useapi may have accepted the
 * POST (a paid generation is running) or never seen it. Submitting again blindly risks paying
 * twice, so the attempt is first looked for upstream, by the `replyRef` (the attempt's id)
 * that useapi echoes in callbacks and in its job listing.
 */
export interface PendingAttempt {
  id: string;
  startedAt: Date;
  /** The answer written after the POST, if it was: `pending` while unknown. */
  outcome: string | null;
  statusCode: number | null;
  /** Set by the answer, or by a callback that named this attempt before the answer was written. */
  upstreamJobId: string | null;
}

export interface UpstreamSighting {
  replyRef: string | null;
  upstreamJobId: string;
}

export type AmbiguityPolicy = 'resubmit' | 'fail';

export type AmbiguityResolution =
  /** useapi has the job: follow it, never submit again. */
  | { kind: 'adopt'; upstreamJobId: string; source: 'answer' | 'callback' | 'listing' }
  /** useapi surely has no job for this attempt (its refusal was recorded, or nothing was sent). */
  | { kind: 'resubmit'; ambiguous: false }
  /** Not found upstream within the timeout: submit again (counted as an ambiguous resubmission). */
  | { kind: 'resubmit'; ambiguous: true }
  | { kind: 'fail'; message: string }
  /** Look again later: the POST may still be in flight, or the listing may not show it yet. */
  | { kind: 'wait'; ms: number };

export interface AmbiguityInput {
  /** The job's latest submit attempt; undefined when none was recorded (nothing was sent). */
  attempt: PendingAttempt | undefined;
  /** Jobids that callbacks reported with this attempt's replyRef. */
  callbacks: readonly UpstreamSighting[];
  /** useapi's listing of the account's jobs (executing and recent); undefined when it could not be read. */
  listing: readonly UpstreamSighting[] | undefined;
  now: Date;
  timeoutMs: number;
  policy: AmbiguityPolicy;
  /** How soon to look again while waiting. */
  recheckMs: number;
}

export const PENDING_OUTCOME = 'pending';

export function resolveAmbiguousSubmission(input: AmbiguityInput): AmbiguityResolution {
  const { attempt, callbacks, listing, now, timeoutMs, policy, recheckMs } = input;
  if (!attempt) return { kind: 'resubmit', ambiguous: false };
  if (attempt.upstreamJobId) {
    return { kind: 'adopt', upstreamJobId: attempt.upstreamJobId, source: attempt.outcome === PENDING_OUTCOME ? 'callback' : 'answer' };
  }
  // An answer without a jobid was written: useapi refused the POST (429, 403, ...), so no job exists.
  if (attempt.outcome !== PENDING_OUTCOME) return { kind: 'resubmit', ambiguous: false };
  const byCallback = callbacks.find((c) => c.replyRef === attempt.id);
  if (byCallback) return { kind: 'adopt', upstreamJobId: byCallback.upstreamJobId, source: 'callback' };
  const listed = listing?.find((j) => j.replyRef === attempt.id);
  if (listed) return { kind: 'adopt', upstreamJobId: listed.upstreamJobId, source: 'listing' };
  const waited = now.getTime() - attempt.startedAt.getTime();
  // An unreadable listing rules nothing out, so it earns a second timeout; not forever, since
  // the listing endpoint is not documented for Flow and may never answer.
  const deadline = listing === undefined ? 2 * timeoutMs : timeoutMs;
  if (waited < deadline) return { kind: 'wait', ms: Math.max(50, Math.min(recheckMs, deadline - waited)) };
  if (policy === 'fail') {
    return { kind: 'fail', message: `submission ${attempt.id} was lost mid-request and useapi shows no job for it after ${Math.round(waited / 1000)} s` };
  }
  return { kind: 'resubmit', ambiguous: true };
}

/** What a useapi job record says about whose attempt it is (`request.replyRef`), if anything. */
export function sightingOf(record: { jobid: string; raw: Record<string, unknown> }): UpstreamSighting {
  const request = record.raw.request;
  const replyRef = request && typeof request === 'object' ? (request as { replyRef?: unknown }).replyRef : undefined;
  return { upstreamJobId: record.jobid, replyRef: typeof replyRef === 'string' ? replyRef : null };
}
