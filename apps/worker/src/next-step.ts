import type { JobRow } from '@flowq/db';
import type { JobError } from '@flowq/core';
import type { UpstreamOutcome } from '@flowq/useapi-client';

/** What the processor does next with a job. */
export type Step =
  /** `ended`: the row as this step ended the job, when it did (spares a read to observe the job's life). */
  | { kind: 'done'; ended?: JobRow }
  | { kind: 'again' }
  /**
   * `listed`: a parking job the acquire already put in the waiting room. `awaits`: the upstream
   * job whose callback the sleep waits for (with `awaitsCallback`).
   */
  | { kind: 'sleep'; ms: number; reason: string; park?: boolean; listed?: boolean; awaitsCallback?: boolean; awaits?: string; row?: JobRow }
  | { kind: 'fail'; error: JobError };

export type AfterFailure = { kind: 'fail'; error: JobError } | { kind: 'retry'; ms: number; countAttempt: boolean; park?: boolean };

/** What a failed poll leads to: look again later (the upstream job still runs), or retry the job as after a submit. */
export type AfterPollFailure = { kind: 'poll_again'; ms: number; park?: boolean } | { kind: 'resubmit'; step: AfterFailure };

/** How long a job waits before trying another account after an account-level refusal. */
export const ACCOUNT_SWITCH_DELAY_MS = 1_000;

type Failure = Exclude<UpstreamOutcome, { type: 'success' }>;

/**
 * The retry decision for one failed upstream answer. Capacity waits (429, 503, cool-offs,
 * account problems, rejected captchas) never burn an attempt; real errors do, up to
 * `maxAttempts`; permanent answers fail the job at once. docs/upstream-answers.md is this table in prose.
 */
export function nextStepAfterFailure(
  outcome: Failure,
  job: { attempts: number; maxAttempts: number },
  opts: { now?: number; tokenProbeIntervalMs: number },
): AfterFailure {
  const now = opts.now ?? Date.now();
  switch (outcome.type) {
    case 'permanent':
      return { kind: 'fail', error: { code: outcome.code, message: outcome.message } };
    case 'retry_soon':
      if (outcome.kind !== 'transient_error') return { kind: 'retry', ms: outcome.delayMs, countAttempt: false };
      return realError(outcome.delayMs, outcome.message, job);
    case 'timeout':
      return realError(outcome.delayMs, outcome.message, job, 'upstream_timeout');
    case 'upstream_lost':
      // The generation is gone upstream: submitting again is the only way on, and it costs an attempt.
      return realError(outcome.delayMs, outcome.message, job, 'upstream_expired');
    case 'retry_other_account':
      return { kind: 'retry', ms: outcome.delayMs, countAttempt: false };
    case 'wait_until':
      return { kind: 'retry', ms: Math.max(0, outcome.until.getTime() - now), countAttempt: false };
    case 'captcha_rejected':
    case 'model_denied':
    case 'account_missing':
    case 'cool_off':
    case 'model_quota':
    case 'needs_reauth':
    case 'no_credits':
      // The account is the problem, not the job: another one takes it (the scheduler knows which may).
      return { kind: 'retry', ms: ACCOUNT_SWITCH_DELAY_MS, countAttempt: false };
    case 'token_invalid':
      // Parked: the probe that finds the token working again wakes every waiting job at once.
      return { kind: 'retry', ms: Math.max(opts.tokenProbeIntervalMs, 1_000) * 2, countAttempt: false, park: true };
  }
}

/**
 * A poll (`GET /jobs/{jobid}`) that did not answer with the record. The upstream job is still
 * ours unless useapi says it is gone (404, 410): then the job is submitted again, as after a
 * lost generation. A refused token parks the job like a submit would; anything else (a 503, a
 * 429, a network error) is looked at again after the poll interval, or the answer's delay when longer.
 */
export function nextStepAfterPollFailure(
  outcome: Failure,
  job: { attempts: number; maxAttempts: number },
  opts: { now?: number; tokenProbeIntervalMs: number; pollIntervalMs: number },
): AfterPollFailure {
  const now = opts.now ?? Date.now();
  switch (outcome.type) {
    case 'upstream_lost':
      return { kind: 'resubmit', step: nextStepAfterFailure(outcome, job, opts) };
    case 'token_invalid':
      return { kind: 'poll_again', ms: Math.max(opts.tokenProbeIntervalMs, 1_000) * 2, park: true };
    case 'wait_until':
      return { kind: 'poll_again', ms: Math.max(opts.pollIntervalMs, outcome.until.getTime() - now) };
    default: {
      const delay = 'delayMs' in outcome ? outcome.delayMs : 0;
      return { kind: 'poll_again', ms: Math.max(opts.pollIntervalMs, delay) };
    }
  }
}

function realError(
  delayMs: number,
  message: string,
  job: { attempts: number; maxAttempts: number },
  code: JobError['code'] = 'retries_exhausted',
): AfterFailure {
  const attempts = job.attempts + 1;
  if (attempts >= job.maxAttempts) {
    return { kind: 'fail', error: { code, message: `gave up after ${attempts} attempts: ${message}` } };
  }
  return { kind: 'retry', ms: delayMs * 2 ** (attempts - 1), countAttempt: true };
}
