import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { classifyAnswer, type ClassifyContext, type UpstreamOutcome } from './classify-answer';
import { BODIES } from './fixtures/upstream-bodies';
import { failedCallAnswer, readAnswer } from './read-answer';
import { jobRecordSchema } from './schemas/job-record';
import type { UpstreamAnswer } from './upstream-answer';

const NOW = new Date('2025-11-17T12:00:00.000Z');
const MIDNIGHT = new Date('2025-11-18T00:00:00.000Z');
const ctx: ClassifyContext = { now: NOW, model: 'veo-3.1-fast', random: () => 0.5 };
const JITTERED = 7_500; // 5 000 + 0.5 x 5 000

function answer(status: number, body: unknown, retryAfterHeader?: string): UpstreamAnswer<unknown> {
  return readAnswer({ status, bodyText: typeof body === 'string' ? body : JSON.stringify(body), retryAfterHeader }, jobRecordSchema, NOW);
}

type Row = {
  name: string;
  answer: UpstreamAnswer<unknown>;
  ctx?: Partial<ClassifyContext>;
  expected: Partial<UpstreamOutcome> & { type: UpstreamOutcome['type'] };
};

const rows: Row[] = [
  { name: '200 sync completed', answer: answer(200, BODIES.sync200), expected: { type: 'success' } },
  { name: '201 async created', answer: answer(201, BODIES.created201), expected: { type: 'success' } },
  {
    name: '400 plain string error',
    answer: answer(400, BODIES.plain400),
    expected: { type: 'permanent', code: 'invalid_request', message: BODIES.plain400.error },
  },
  { name: '400 content policy (UNSAFE_GENERATION)', answer: answer(400, BODIES.contentPolicy400), expected: { type: 'permanent', code: 'content_policy' } },
  { name: '400 other Google filter reason', answer: answer(400, BODIES.prominentPeople400), expected: { type: 'permanent', code: 'content_policy' } },
  { name: '400 Google body, non-policy reason', answer: answer(400, BODIES.otherGoogle400), expected: { type: 'permanent', code: 'invalid_request' } },
  { name: '401 bad token', answer: answer(401, BODIES.unauthorized401), expected: { type: 'token_invalid', message: 'Unauthorized' } },
  { name: '402 no subscription / credits', answer: answer(402, BODIES.payment402), expected: { type: 'no_credits' } },
  { name: '403 foreign reference image', answer: answer(403, BODIES.forbidden403), expected: { type: 'permanent', code: 'forbidden_asset' } },
  {
    name: '403 captcha_quality: another account, never permanent',
    answer: answer(403, BODIES.captchaQuality403),
    expected: { type: 'captcha_rejected', delayMs: JITTERED, message: BODIES.captchaQuality403.error },
  },
  {
    name: '403 MODEL_ACCESS_DENIED (Google shape)',
    answer: answer(403, BODIES.modelAccessDenied403),
    expected: { type: 'model_denied', model: 'veo-3.1-fast' },
  },
  {
    name: '403 MODEL_ACCESS_DENIED (useapi text)',
    answer: answer(403, BODIES.modelAccessDeniedText403),
    ctx: { model: 'veo-3.1-quality' },
    expected: { type: 'model_denied', model: 'veo-3.1-quality' },
  },
  { name: '404 on submit: the account is gone upstream', answer: answer(404, BODIES.notFound404), expected: { type: 'account_missing' } },
  {
    name: '404 on getJob: the job is gone, submit again',
    answer: answer(404, { error: 'Job not found' }),
    ctx: { operation: 'getJob' },
    expected: { type: 'upstream_lost', delayMs: JITTERED },
  },
  { name: '408 polling timeout', answer: answer(408, BODIES.timeout408), expected: { type: 'timeout', code: 'upstream_timeout', delayMs: JITTERED } },
  {
    name: '410 on a poll: the upstream job expired',
    answer: answer(410, BODIES.expired410),
    ctx: { operation: 'getJob' },
    expected: { type: 'upstream_lost' },
  },
  {
    name: '429 USER_REQUESTS_THROTTLED',
    answer: answer(429, BODIES.throttled429),
    expected: { type: 'retry_other_account', delayMs: JITTERED, countsAgainstAccount: true, reason: 'PUBLIC_ERROR_USER_REQUESTS_THROTTLED' },
  },
  {
    name: '429 throttled with Retry-After: the job moves, a cool-off lasts at least until then',
    answer: answer(429, BODIES.throttled429, '1800'),
    expected: { type: 'retry_other_account', delayMs: JITTERED, countsAgainstAccount: true, accountUntil: new Date(NOW.getTime() + 1_800_000) },
  },
  {
    name: '429 throttled with the body retryAfter',
    answer: answer(429, { ...BODIES.throttled429, retryAfter: '2025-11-17T12:10:00.000Z' }),
    expected: { type: 'retry_other_account', accountUntil: new Date('2025-11-17T12:10:00.000Z') },
  },
  {
    name: '429 USER_QUOTA_REACHED: the documented ~30 min quarantine',
    answer: answer(429, BODIES.quota429),
    expected: { type: 'cool_off', until: new Date(NOW.getTime() + 30 * 60_000), reason: 'PUBLIC_ERROR_USER_QUOTA_REACHED' },
  },
  {
    name: '429 USER_QUOTA_REACHED with Retry-After',
    answer: answer(429, BODIES.quota429, '7200'),
    expected: { type: 'cool_off', until: new Date(NOW.getTime() + 7_200_000) },
  },
  {
    name: '429 UNUSUAL_ACTIVITY: a plain retry, no cool-off',
    answer: answer(429, BODIES.unusualActivity429),
    expected: { type: 'retry_soon', kind: 'low_score', delayMs: JITTERED, countsAgainstAccount: false },
  },
  {
    name: '429 UNUSUAL_ACTIVITY honours Retry-After',
    answer: answer(429, BODIES.unusualActivity429, '20'),
    expected: { type: 'retry_soon', kind: 'low_score', delayMs: 20_000 },
  },
  {
    name: '429 PER_MODEL_DAILY_QUOTA_REACHED',
    answer: answer(429, BODIES.modelQuota429),
    expected: { type: 'model_quota', model: 'veo-3.1-fast', until: MIDNIGHT, reason: 'PUBLIC_ERROR_PER_MODEL_DAILY_QUOTA_REACHED' },
  },
  {
    name: '429 per-model quota, model unknown',
    answer: answer(429, BODIES.modelQuota429),
    ctx: { model: undefined },
    expected: { type: 'model_quota', model: null },
  },
  {
    name: '429 no_eligible_account with retryAfter',
    answer: answer(429, BODIES.noEligible429),
    expected: { type: 'wait_until', until: new Date('2025-11-17T12:05:00.000Z') },
  },
  {
    name: '429 no_eligible_account without retryAfter: now + 10 s',
    answer: answer(429, { error: 'no_eligible_account', message: 'none' }),
    expected: { type: 'wait_until', until: new Date(NOW.getTime() + 10_000) },
  },
  {
    name: '429 no_eligible_account with a retryAfter already past: at least 5 s',
    answer: answer(429, { ...BODIES.noEligible429, retryAfter: '2025-11-17T11:00:00.000Z' }),
    expected: { type: 'wait_until', until: new Date(NOW.getTime() + 5_000) },
  },
  {
    name: '429 unknown reason with Retry-After header (seconds)',
    answer: answer(429, BODIES.plain429, '120'),
    expected: { type: 'wait_until', until: new Date(NOW.getTime() + 120_000) },
  },
  {
    name: '429 unknown reason with Retry-After header (HTTP date)',
    answer: answer(429, BODIES.plain429, 'Mon, 17 Nov 2025 13:00:00 GMT'),
    expected: { type: 'wait_until', until: new Date('2025-11-17T13:00:00.000Z') },
  },
  {
    name: '429 unknown reason, no hint: treated as throttled',
    answer: answer(429, BODIES.plain429),
    expected: { type: 'retry_other_account', delayMs: JITTERED, countsAgainstAccount: true, reason: 'unknown' },
  },
  {
    name: '500 Google internal',
    answer: answer(500, BODIES.internal500),
    expected: { type: 'retry_soon', kind: 'transient_error', delayMs: JITTERED, countsAgainstAccount: false },
  },
  {
    name: '502 HTML from a proxy',
    answer: answer(502, '<html>Bad Gateway</html>'),
    expected: { type: 'retry_soon', kind: 'transient_error', message: 'HTTP 502: <html>Bad Gateway</html>' },
  },
  { name: '504 empty body', answer: answer(504, ''), expected: { type: 'retry_soon', kind: 'transient_error', message: 'HTTP 504' } },
  {
    name: '503 capacity',
    answer: answer(503, BODIES.plain503),
    expected: { type: 'retry_soon', kind: 'capacity', delayMs: JITTERED, countsAgainstAccount: false },
  },
  {
    name: '503 captcha provider failure (needs a person to top up the solver)',
    answer: answer(503, BODIES.captcha503),
    expected: { type: 'retry_soon', kind: 'captcha_provider', countsAgainstAccount: false, message: BODIES.captcha503.error },
  },
  {
    name: '503 Google unavailable (Google shape)',
    answer: answer(503, BODIES.googleUnavailable503),
    expected: { type: 'retry_soon', kind: 'capacity', countsAgainstAccount: false },
  },
  { name: '596 session refresh failed', answer: answer(596, BODIES.session596), expected: { type: 'needs_reauth', message: BODIES.session596.error } },
  { name: '413 other 4xx', answer: answer(413, { error: 'Payload too large' }), expected: { type: 'permanent', code: 'invalid_request' } },
  {
    name: 'network error (status 0)',
    answer: failedCallAnswer(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') })),
    expected: { type: 'retry_soon', kind: 'transient_error', delayMs: JITTERED, message: 'fetch failed: connect ECONNREFUSED 127.0.0.1:1' },
  },
  {
    name: 'our own timeout (status 0)',
    answer: failedCallAnswer(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    expected: { type: 'retry_soon', kind: 'transient_error', message: 'request timed out' },
  },
  { name: 'bad response: 201 without jobid', answer: answer(201, { status: 'created' }), expected: { type: 'retry_soon', kind: 'transient_error' } },
  { name: 'bad response: 200 that is not JSON', answer: answer(200, 'OK'), expected: { type: 'retry_soon', kind: 'transient_error' } },
];

describe('classifyAnswer', () => {
  it.each(rows)('$name', ({ answer, ctx: extra, expected }) => {
    expect(classifyAnswer(answer, { ...ctx, ...extra })).toMatchObject(expected);
  });

  it('every answer of the reference notes is covered', () => {
    const statuses = new Set(rows.map((r) => r.answer.status));
    for (const s of [0, 200, 201, 400, 401, 402, 403, 404, 408, 410, 429, 500, 503, 596]) expect(statuses).toContain(s);
    const reasons = new Set(rows.flatMap((r) => (r.answer.ok ? [] : [r.answer.error.reason])));
    for (const r of [
      'PUBLIC_ERROR_USER_REQUESTS_THROTTLED',
      'PUBLIC_ERROR_USER_QUOTA_REACHED',
      'PUBLIC_ERROR_PER_MODEL_DAILY_QUOTA_REACHED',
      'PUBLIC_ERROR_UNUSUAL_ACTIVITY_TOO_MUCH_TRAFFIC',
      'MODEL_ACCESS_DENIED',
      'no_eligible_account',
    ]) {
      expect(reasons).toContain(r);
    }
  });

  it.each([
    { random: 0, delayMs: 5_000 },
    { random: 0.999999, delayMs: 9_999 },
  ])('jitters within 5-10 s (random $random)', ({ random, delayMs }) => {
    expect(classifyAnswer(answer(503, BODIES.plain503), { now: NOW, random: () => random })).toMatchObject({ delayMs });
  });

  it('takes the quarantine lengths from the policy', () => {
    const quarantine = { quotaReachedMs: 60_000, modelQuotaMs: 120_000 };
    expect(classifyAnswer(answer(429, BODIES.quota429), ctx, { quarantine })).toMatchObject({ type: 'cool_off', until: new Date(NOW.getTime() + 60_000) });
    expect(classifyAnswer(answer(429, BODIES.modelQuota429), ctx, { quarantine })).toMatchObject({
      type: 'model_quota',
      until: new Date(NOW.getTime() + 120_000),
    });
  });

  it('takes the delays from the policy', () => {
    const outcome = classifyAnswer(answer(429, { error: 'no_eligible_account' }), ctx, { noEligibleAccountWaitMs: 60_000 });
    expect(outcome).toEqual({ type: 'wait_until', until: new Date(NOW.getTime() + 60_000), message: 'no_eligible_account' });
    expect(classifyAnswer(answer(500, BODIES.internal500), ctx, { retryDelayMs: { min: 1_000, max: 2_000 } })).toMatchObject({ delayMs: 1_500 });
  });

  it('reads a bad 2xx body as bad_response, not a crash', () => {
    const a = readAnswer({ status: 200, bodyText: '{"jobid": 5}' }, z.object({ jobid: z.string() }), NOW);
    expect(a).toMatchObject({ ok: false, status: 200, error: { kind: 'bad_response', raw: { jobid: 5 } } });
  });
});
