import type { JobRow } from '@flowq/db';
import type { JobError } from '@flowq/core';
import type { UpstreamOutcome } from '@flowq/useapi-client';

/** What the processor does next with a job. */
export type Step =
  | { kind: 'done' }
  | { kind: 'again' }
  | { kind: 'sleep'; ms: number; reason: string; park?: boolean; awaitsCallback?: boolean; row?: JobRow }
  | { kind: 'fail'; error: JobError };

export type AfterFailure = { kind: 'fail'; error: JobError } | { kind: 'retry'; ms: number; countAttempt: boolean; park?: boolean };

/** How long a job waits before trying another account after an account-level refusal. */
export const ACCOUNT_SWITCH_DELAY_MS = 1_000;

/**
 * The retry decision for one failed upstream answer. Capacity waits (429, 503, cool-offs,
 * account problems) never burn an attempt; real errors do, up to `maxAttempts`; permanent
 * answers fail the job at once.
 */
export function nextStepAfterFailure(
  outcome: Exclude<UpstreamOutcome, { type: 'success' }>,
  job: { attempts: number; maxAttempts: number },
  opts: { now?: number; tokenProbeIntervalMs: number },
): AfterFailure {
  const now = opts.now ?? Date.now();
  switch (outcome.type) {
    case 'permanent':
      return { kind: 'fail', error: { code: outcome.code, message: outcome.message } };
    case 'retry_soon':
      if (outcome.kind === 'capacity') return { kind: 'retry', ms: outcome.delayMs, countAttempt: false };
      return realError(outcome.delayMs, outcome.message, job);
    case 'timeout':
      return realError(outcome.delayMs, outcome.message, job, 'upstream_timeout');
    case 'retry_other_account':
      return { kind: 'retry', ms: outcome.delayMs, countAttempt: false };
    case 'wait_until':
      return { kind: 'retry', ms: Math.max(0, outcome.until.getTime() - now), countAttempt: false };
    case 'cool_off':
    case 'model_quota':
    case 'needs_reauth':
    case 'no_credits':
      return { kind: 'retry', ms: ACCOUNT_SWITCH_DELAY_MS, countAttempt: false };
    case 'token_invalid':
      // Parked: the probe that finds the token working again wakes every waiting job at once.
      return { kind: 'retry', ms: Math.max(opts.tokenProbeIntervalMs, 1_000) * 2, countAttempt: false, park: true };
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
