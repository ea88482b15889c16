import type { UpstreamOutcome } from '@flowq/useapi-client';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_SWITCH_DELAY_MS, nextStepAfterFailure, nextStepAfterPollFailure, type AfterFailure, type AfterPollFailure } from './next-step';

type Failure = Exclude<UpstreamOutcome, { type: 'success' }>;
const NOW = Date.parse('2026-11-27T12:00:00.000Z');
const job = { attempts: 0, maxAttempts: 3 };
const opts = { now: NOW, tokenProbeIntervalMs: 30_000, pollIntervalMs: 15_000 };
const m = 'm';

describe('nextStepAfterFailure: what the job does after each answer', () => {
  it.each<{ name: string; outcome: Failure; attempts?: number; expected: AfterFailure }>([
    {
      name: 'content policy fails',
      outcome: { type: 'permanent', code: 'content_policy', message: m },
      expected: { kind: 'fail', error: { code: 'content_policy', message: m } },
    },
    {
      name: '503 Google: wait, no attempt',
      outcome: { type: 'retry_soon', kind: 'capacity', delayMs: 7_000, countsAgainstAccount: false, message: m },
      expected: { kind: 'retry', ms: 7_000, countAttempt: false },
    },
    {
      name: '503 captcha provider: wait, no attempt',
      outcome: { type: 'retry_soon', kind: 'captcha_provider', delayMs: 7_000, countsAgainstAccount: false, message: m },
      expected: { kind: 'retry', ms: 7_000, countAttempt: false },
    },
    {
      name: '429 unusual activity: plain retry, no attempt',
      outcome: { type: 'retry_soon', kind: 'low_score', delayMs: 6_000, countsAgainstAccount: false, message: m },
      expected: { kind: 'retry', ms: 6_000, countAttempt: false },
    },
    {
      name: '500: an attempt',
      outcome: { type: 'retry_soon', kind: 'transient_error', delayMs: 5_000, countsAgainstAccount: false, message: m },
      expected: { kind: 'retry', ms: 5_000, countAttempt: true },
    },
    {
      name: '500 on the last attempt fails',
      attempts: 2,
      outcome: { type: 'retry_soon', kind: 'transient_error', delayMs: 5_000, countsAgainstAccount: false, message: m },
      expected: { kind: 'fail', error: { code: 'retries_exhausted', message: 'gave up after 3 attempts: m' } },
    },
    {
      name: '403 captcha_quality: another account, never a failure',
      attempts: 2,
      outcome: { type: 'captcha_rejected', delayMs: 7_000, message: m },
      expected: { kind: 'retry', ms: ACCOUNT_SWITCH_DELAY_MS, countAttempt: false },
    },
    {
      name: '403 MODEL_ACCESS_DENIED: another account',
      outcome: { type: 'model_denied', model: 'omni-flash', message: m },
      expected: { kind: 'retry', ms: ACCOUNT_SWITCH_DELAY_MS, countAttempt: false },
    },
    {
      name: '404 on submit: another account',
      outcome: { type: 'account_missing', message: m },
      expected: { kind: 'retry', ms: ACCOUNT_SWITCH_DELAY_MS, countAttempt: false },
    },
    {
      name: 'lost upstream job: submitted again, an attempt',
      outcome: { type: 'upstream_lost', delayMs: 5_000, message: m },
      expected: { kind: 'retry', ms: 5_000, countAttempt: true },
    },
    {
      name: 'lost on the last attempt fails as expired',
      attempts: 2,
      outcome: { type: 'upstream_lost', delayMs: 5_000, message: m },
      expected: { kind: 'fail', error: { code: 'upstream_expired', message: 'gave up after 3 attempts: m' } },
    },
    {
      name: '429 throttled: moves',
      outcome: { type: 'retry_other_account', delayMs: 6_000, countsAgainstAccount: true, reason: 'r', message: m },
      expected: { kind: 'retry', ms: 6_000, countAttempt: false },
    },
    {
      name: 'no_eligible_account waits until retryAfter',
      outcome: { type: 'wait_until', until: new Date(NOW + 90_000), message: m },
      expected: { kind: 'retry', ms: 90_000, countAttempt: false },
    },
    {
      name: 'quota: another account',
      outcome: { type: 'cool_off', until: new Date(NOW + 1), reason: 'r', message: m },
      expected: { kind: 'retry', ms: ACCOUNT_SWITCH_DELAY_MS, countAttempt: false },
    },
    { name: '401: parked', outcome: { type: 'token_invalid', message: m }, expected: { kind: 'retry', ms: 60_000, countAttempt: false, park: true } },
    {
      name: '408: an attempt',
      outcome: { type: 'timeout', code: 'upstream_timeout', delayMs: 5_000, message: m },
      expected: { kind: 'retry', ms: 5_000, countAttempt: true },
    },
  ])('$name', ({ outcome, attempts, expected }) => {
    expect(nextStepAfterFailure(outcome, { ...job, attempts: attempts ?? 0 }, opts)).toEqual(expected);
  });
});

describe('nextStepAfterPollFailure: a poll that did not read the record', () => {
  it.each<{ name: string; outcome: Failure; expected: AfterPollFailure }>([
    {
      name: '410 expired: submit again, an attempt',
      outcome: { type: 'upstream_lost', delayMs: 5_000, message: m },
      expected: { kind: 'resubmit', step: { kind: 'retry', ms: 5_000, countAttempt: true } },
    },
    { name: '401: parked until the token works', outcome: { type: 'token_invalid', message: m }, expected: { kind: 'poll_again', ms: 60_000, park: true } },
    {
      name: '503: poll again at the interval',
      outcome: { type: 'retry_soon', kind: 'capacity', delayMs: 7_000, countsAgainstAccount: false, message: m },
      expected: { kind: 'poll_again', ms: 15_000 },
    },
    {
      name: 'network error: poll again',
      outcome: { type: 'retry_soon', kind: 'transient_error', delayMs: 5_000, countsAgainstAccount: false, message: m },
      expected: { kind: 'poll_again', ms: 15_000 },
    },
    {
      name: '429 with a long Retry-After: poll after it',
      outcome: { type: 'wait_until', until: new Date(NOW + 120_000), message: m },
      expected: { kind: 'poll_again', ms: 120_000 },
    },
    {
      name: '596: poll again (the account is marked by the record)',
      outcome: { type: 'needs_reauth', message: m },
      expected: { kind: 'poll_again', ms: 15_000 },
    },
  ])('$name', ({ outcome, expected }) => {
    expect(nextStepAfterPollFailure(outcome, job, opts)).toEqual(expected);
  });
});
