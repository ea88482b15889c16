import { hexOfEmail } from '@flowq/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accountSnapshot } from './account-snapshot-fixture';
import { type AccountSnapshot, type JobNeeds, isAvailable, pickAccount, pinOf, rankAccounts } from './pick-account';

const NOW = new Date('2025-11-20T12:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

function account(email: string, over: Partial<AccountSnapshot> = {}): AccountSnapshot {
  return accountSnapshot(email, { meanGenerationMs: null, ...over });
}

function imageOf(email: string): string {
  return `user:123-email:${hexOfEmail(email)}-image:0b1c2d3e-aaaa-bbbb-cccc-000000000000`;
}

const fast: JobNeeds = { model: 'veo-3.1-fast', images: [] };
const relaxed: JobNeeds = { model: 'veo-3.1-lite-low-priority', images: [] };

describe('pickAccount: eligibility', () => {
  it('picks the only healthy account', () => {
    expect(pickAccount([account('a@x.com')], fast, NOW)).toEqual({ kind: 'account', email: 'a@x.com' });
  });

  it.each([
    ['disabled by an operator', { enabled: false }],
    ['draining', { draining: true }],
    ['needs re-auth', { state: 'needs_reauth' as const }],
    ['out of credits', { state: 'no_credits' as const }],
    ['state disabled', { state: 'disabled' as const }],
  ])('skips an account that is %s', (_, over) => {
    const pool = [account('a@x.com', over), account('b@x.com', { running: 3 })];
    expect(pickAccount(pool, fast, NOW)).toEqual({ kind: 'account', email: 'b@x.com' });
  });

  it('skips an account still cooling and takes one whose cool-off has passed', () => {
    const pool = [
      account('a@x.com', { state: 'cooling', coolingUntil: later(60_000) }),
      account('b@x.com', { state: 'cooling', coolingUntil: later(-1), running: 3 }),
    ];
    expect(pickAccount(pool, fast, NOW)).toEqual({ kind: 'account', email: 'b@x.com' });
  });

  it('treats a cooling account without an end as cooling', () => {
    const pool = [account('a@x.com', { state: 'cooling', coolingUntil: null })];
    expect(pickAccount(pool, fast, NOW)).toEqual({ kind: 'wait', reason: 'all_cooling', retryAt: null });
  });

  it('skips an account at its concurrency limit or per-minute budget', () => {
    const pool = [account('a@x.com', { running: 4 }), account('b@x.com', { submittedLastMinute: 10 }), account('c@x.com', { running: 3 })];
    expect(pickAccount(pool, fast, NOW)).toEqual({ kind: 'account', email: 'c@x.com' });
  });

  it('skips an account whose quota for this model is reached, but not for other models', () => {
    const pool = [account('a@x.com', { modelQuotaUntil: { 'veo-3.1-fast': later(3_600_000) } }), account('b@x.com', { running: 3 })];
    expect(pickAccount(pool, fast, NOW)).toEqual({ kind: 'account', email: 'b@x.com' });
    expect(pickAccount(pool, { ...fast, model: 'veo-3.1-quality' }, NOW)).toEqual({ kind: 'account', email: 'a@x.com' });
  });

  it('ignores a model quota that has ended', () => {
    const pool = [account('a@x.com', { modelQuotaUntil: { 'veo-3.1-fast': later(-1000) } })];
    expect(pickAccount(pool, fast, NOW)).toEqual({ kind: 'account', email: 'a@x.com' });
  });

  it('runs ultra-only models on ultra accounts only', () => {
    const pool = [account('pro@x.com'), account('ultra@x.com', { tier: 'ultra', running: 3 })];
    expect(pickAccount(pool, relaxed, NOW)).toEqual({ kind: 'account', email: 'ultra@x.com' });
    expect(pickAccount(pool, fast, NOW)).toEqual({ kind: 'account', email: 'pro@x.com' });
  });

  it('an ultra-only model with no ultra account at all is impossible', () => {
    expect(pickAccount([account('pro@x.com')], relaxed, NOW)).toEqual({ kind: 'impossible', reason: 'no_ultra_account' });
  });

  it('an ultra-only model whose ultra accounts are all busy waits', () => {
    const pool = [account('pro@x.com'), account('ultra@x.com', { tier: 'ultra', running: 4 })];
    expect(pickAccount(pool, relaxed, NOW)).toEqual({ kind: 'wait', reason: 'all_busy', retryAt: null });
  });

  it('an unknown model is impossible', () => {
    expect(pickAccount([account('a@x.com')], { model: 'veo-9', images: [] }, NOW)).toEqual({
      kind: 'impossible',
      reason: 'unknown_model',
    });
  });
});

describe('pickAccount: pinning', () => {
  const pool = [account('a@x.com'), account('b@x.com', { running: 3 })];

  it('runs a job that names an account there only', () => {
    expect(pickAccount(pool, { ...fast, email: 'b@x.com' }, NOW)).toEqual({ kind: 'account', email: 'b@x.com' });
  });

  it('matches the named account case-insensitively', () => {
    expect(pickAccount(pool, { ...fast, email: 'B@X.com' }, NOW)).toEqual({ kind: 'account', email: 'b@x.com' });
  });

  it('a named account that is not in the pool is impossible', () => {
    expect(pickAccount(pool, { ...fast, email: 'z@x.com' }, NOW)).toEqual({ kind: 'impossible', reason: 'unknown_account' });
  });

  it('waits for a busy named account instead of using another', () => {
    const busy = [account('a@x.com'), account('b@x.com', { running: 4 })];
    expect(pickAccount(busy, { ...fast, email: 'b@x.com' }, NOW)).toEqual({
      kind: 'wait',
      reason: 'pinned_unavailable',
      retryAt: null,
    });
  });

  it('says when a cooling named account comes back', () => {
    const until = later(30 * 60_000);
    const cooling = [account('a@x.com'), account('b@x.com', { state: 'cooling', coolingUntil: until })];
    expect(pickAccount(cooling, { ...fast, email: 'b@x.com' }, NOW)).toEqual({
      kind: 'wait',
      reason: 'pinned_unavailable',
      retryAt: until,
    });
  });

  it('a blocked account comes back when both its cool-off and its model quota are over', () => {
    const cool = later(60_000);
    const quota = later(120_000);
    const pinned = [account('b@x.com', { state: 'cooling', coolingUntil: cool, modelQuotaUntil: { 'veo-3.1-fast': quota } })];
    expect(pickAccount(pinned, { ...fast, email: 'b@x.com' }, NOW)).toMatchObject({ retryAt: quota });
  });

  it('runs a job with images on the account that uploaded them', () => {
    const job = { ...fast, images: [imageOf('b@x.com'), imageOf('b@x.com')] };
    expect(pickAccount(pool, job, NOW)).toEqual({ kind: 'account', email: 'b@x.com' });
  });

  it('images of two accounts are impossible', () => {
    const job = { ...fast, images: [imageOf('a@x.com'), imageOf('b@x.com')] };
    expect(pickAccount(pool, job, NOW)).toEqual({ kind: 'impossible', reason: 'images_span_accounts' });
  });

  it('images of one account and a job naming another are impossible', () => {
    const job = { ...fast, email: 'a@x.com', images: [imageOf('b@x.com')] };
    expect(pickAccount(pool, job, NOW)).toEqual({ kind: 'impossible', reason: 'pinned_conflict' });
  });

  it('images of an account not in the pool are impossible', () => {
    expect(pickAccount(pool, { ...fast, images: [imageOf('gone@x.com')] }, NOW)).toEqual({
      kind: 'impossible',
      reason: 'unknown_account',
    });
  });

  it('an image id without an account part does not pin the job', () => {
    expect(pickAccount(pool, { ...fast, images: ['CAMaJDk0ZjM'] }, NOW)).toEqual({ kind: 'account', email: 'a@x.com' });
  });

  it('an ultra-only model pinned to a pro account is impossible', () => {
    expect(pickAccount(pool, { ...relaxed, email: 'a@x.com' }, NOW)).toEqual({ kind: 'impossible', reason: 'tier_mismatch' });
  });
});

describe('pickAccount: wait reasons', () => {
  it('all busy, with the first cool-off end as the latest moment worth waiting for', () => {
    const until = later(5 * 60_000);
    const pool = [
      account('a@x.com', { running: 4 }),
      account('b@x.com', { state: 'cooling', coolingUntil: until }),
      account('c@x.com', { state: 'cooling', coolingUntil: later(10 * 60_000) }),
    ];
    expect(pickAccount(pool, fast, NOW)).toEqual({ kind: 'wait', reason: 'all_busy', retryAt: until });
  });

  it('all cooling waits for the earliest cool-off or quota end', () => {
    const quotaEnd = later(2 * 60_000);
    const pool = [
      account('a@x.com', { state: 'cooling', coolingUntil: later(5 * 60_000) }),
      account('b@x.com', { modelQuotaUntil: { 'veo-3.1-fast': quotaEnd } }),
      account('c@x.com', { enabled: false }),
    ];
    expect(pickAccount(pool, fast, NOW)).toEqual({ kind: 'wait', reason: 'all_cooling', retryAt: quotaEnd });
  });

  it('nothing in service gives no_eligible', () => {
    const pool = [account('a@x.com', { state: 'needs_reauth' }), account('b@x.com', { draining: true })];
    expect(pickAccount(pool, fast, NOW)).toEqual({ kind: 'wait', reason: 'no_eligible', retryAt: null });
    expect(pickAccount([], fast, NOW)).toEqual({ kind: 'wait', reason: 'no_eligible', retryAt: null });
  });
});

describe('pickAccount: ranking', () => {
  it('prefers the larger free-slot fraction over fewer running', () => {
    const pool = [account('small@x.com', { running: 1, maxConcurrent: 2 }), account('big@x.com', { running: 2, maxConcurrent: 8 })];
    expect(pickAccount(pool, fast, NOW)).toEqual({ kind: 'account', email: 'big@x.com' });
  });

  it('puts any recently throttled account after every unthrottled one, however loaded', () => {
    const pool = [account('throttled@x.com', { recent: { succeeded: 9, failed: 0, throttled: 1 } }), account('busy@x.com', { running: 3 })];
    expect(pickAccount(pool, fast, NOW)).toEqual({ kind: 'account', email: 'busy@x.com' });
    expect(rankAccounts(pool, fast, NOW).map((a) => a.email)).toEqual(['busy@x.com', 'throttled@x.com']);
  });

  it('breaks equal load by the useapi penalty', () => {
    const pool = [
      account('a@x.com', { recent: { succeeded: 0, failed: 2, throttled: 0 } }),
      account('b@x.com', { recent: { succeeded: 0, failed: 1, throttled: 0 } }),
    ];
    expect(pickAccount(pool, fast, NOW)).toEqual({ kind: 'account', email: 'b@x.com' });
  });

  it('at equal fraction and penalty prefers more free slots', () => {
    const pool = [account('a@x.com', { running: 1, maxConcurrent: 2 }), account('b@x.com', { running: 2, maxConcurrent: 4 })];
    expect(pickAccount(pool, fast, NOW)).toEqual({ kind: 'account', email: 'b@x.com' });
  });

  it('is deterministic for a job id and scatters ties across job ids', () => {
    const pool = ['a', 'b', 'c', 'd'].map((n) => account(`${n}@x.com`));
    const first = pickAccount(pool, { ...fast, jobId: 'job_1' }, NOW);
    expect(pickAccount([...pool].reverse(), { ...fast, jobId: 'job_1' }, NOW)).toEqual(first);
    const chosen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const p = pickAccount(pool, { ...fast, jobId: `job_${i}` }, NOW);
      if (p.kind === 'account') chosen.add(p.email);
    }
    expect(chosen.size).toBe(4);
  });

  it('rankAccounts lists only eligible accounts, best first', () => {
    const pool = [
      account('a@x.com', { running: 2 }),
      account('b@x.com', { enabled: false }),
      account('c@x.com', { running: 1 }),
      account('d@x.com', { running: 4 }),
    ];
    expect(rankAccounts(pool, fast, NOW).map((a) => a.email)).toEqual(['c@x.com', 'a@x.com']);
    expect(rankAccounts(pool, { ...fast, images: [imageOf('a@x.com'), imageOf('c@x.com')] }, NOW)).toEqual([]);
  });
});

// ---- properties ----

const EMAILS = ['a@x.com', 'b@x.com', 'c@x.com', 'd@x.com', 'e@x.com'];
const MODELS = ['veo-3.1-fast', 'veo-3.1-quality', 'veo-3.1-lite-low-priority', 'omni-flash'];

/** Mostly the common case, so that most runs get as far as the ranking. */
const rarely = <T>(arb: fc.Arbitrary<T>, otherwise: T) => fc.oneof({ weight: 4, arbitrary: fc.constant(otherwise) }, { weight: 1, arbitrary: arb });

const arbDate = fc.integer({ min: -3_600_000, max: 3_600_000 }).map(later);

const arbAccount = (email: string): fc.Arbitrary<AccountSnapshot> =>
  fc.record({
    email: fc.constant(email),
    tier: fc.constantFrom('ultra' as const, 'pro' as const),
    enabled: fc.constantFrom(true, true, true, true, true, false),
    state: fc.constantFrom<AccountSnapshot['state']>(...Array<'active'>(6).fill('active'), 'cooling', 'cooling', 'needs_reauth', 'no_credits', 'disabled'),
    coolingUntil: fc.option(arbDate, { freq: 2 }),
    draining: fc.constantFrom(false, false, false, false, false, true),
    running: fc.nat(4),
    maxConcurrent: fc.integer({ min: 1, max: 6 }),
    submittedLastMinute: fc.nat(8),
    maxPerMinute: fc.integer({ min: 1, max: 12 }),
    modelQuotaUntil: rarely(fc.dictionary(fc.constantFrom(...MODELS), arbDate, { minKeys: 1, maxKeys: 2 }), {}),
    recent: fc.record({ succeeded: fc.nat(20), failed: fc.nat(5), throttled: fc.nat(3) }),
    meanGenerationMs: fc.option(fc.nat(200_000)),
  });

const arbPool: fc.Arbitrary<AccountSnapshot[]> = fc.subarray(EMAILS, { minLength: 1 }).chain((emails) => fc.tuple(...emails.map(arbAccount)));

const arbJob: fc.Arbitrary<JobNeeds> = fc.record({
  model: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...MODELS) }, { weight: 1, arbitrary: fc.constant('veo-unknown') }),
  email: rarely(fc.constantFrom<string | undefined>(...EMAILS, 'z@x.com'), undefined),
  images: rarely(fc.array(fc.constantFrom(...EMAILS.map(imageOf), 'no-account-part'), { minLength: 1, maxLength: 2 }), []),
  jobId: fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }),
  duration: fc.constantFrom<JobNeeds['duration']>(undefined, 4, 8),
});

/** The eligibility rules, restated plainly as an oracle. */
function mayRun(a: AccountSnapshot, job: JobNeeds): boolean {
  const t = NOW.getTime();
  // Ultra only: the low-priority model, and Veo's 4 and 6 s clips.
  const ultraOnly = job.model === 'veo-3.1-lite-low-priority' || (job.model === 'veo-3.1-fast' && (job.duration === 4 || job.duration === 6));
  const quota = a.modelQuotaUntil[job.model];
  const imageOwners = job.images.filter((i) => i !== 'no-account-part').map((i) => EMAILS.find((e) => imageOf(e) === i));
  return (
    a.enabled &&
    !a.draining &&
    (a.state === 'active' || (a.state === 'cooling' && a.coolingUntil !== null)) &&
    (a.coolingUntil === null || a.coolingUntil.getTime() <= t) &&
    a.running < a.maxConcurrent &&
    a.submittedLastMinute < a.maxPerMinute &&
    (!ultraOnly || a.tier === 'ultra') &&
    (job.email === undefined || job.email === a.email) &&
    imageOwners.every((o) => o === a.email) &&
    (quota === undefined || quota.getTime() <= t)
  );
}

describe('pickAccount: properties', () => {
  it('never picks an ineligible account, and picks one whenever one is eligible and the job is possible', () => {
    fc.assert(
      fc.property(arbPool, arbJob, (pool, job) => {
        const pick = pickAccount(pool, job, NOW);
        if (pick.kind === 'account') {
          const chosen = pool.find((a) => a.email === pick.email)!;
          expect(mayRun(chosen, job)).toBe(true);
          expect(isAvailable(chosen, job.model, NOW)).toBe(true);
        } else if (job.model !== 'veo-unknown') {
          expect(pool.filter((a) => mayRun(a, job))).toEqual([]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('rankAccounts holds exactly the eligible accounts, and pickAccount takes its head', () => {
    fc.assert(
      fc.property(arbPool, arbJob, (pool, job) => {
        const ranked = rankAccounts(pool, job, NOW);
        const pick = pickAccount(pool, job, NOW);
        if (pick.kind === 'impossible') {
          expect(ranked).toEqual([]);
          return;
        }
        expect(ranked.map((a) => a.email).sort()).toEqual(
          pool
            .filter((a) => mayRun(a, job))
            .map((a) => a.email)
            .sort(),
        );
        expect(pick.kind === 'account' ? pick.email : undefined).toEqual(ranked[0]?.email);
      }),
      { numRuns: 1000 },
    );
  });

  it('never ranks a throttled account above an unthrottled one, nor a fuller one above an emptier one of the same health', () => {
    fc.assert(
      fc.property(arbPool, arbJob, (pool, job) => {
        const ranked = rankAccounts(pool, job, NOW);
        for (let i = 1; i < ranked.length; i++) {
          const [a, b] = [ranked[i - 1]!, ranked[i]!];
          expect(a.recent.throttled).toBeLessThanOrEqual(b.recent.throttled);
          if (a.recent.throttled === b.recent.throttled) {
            expect(a.running / a.maxConcurrent).toBeLessThanOrEqual(b.running / b.maxConcurrent + 1e-9);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('picks from equal accounts keep their running counts within one of each other', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 8 }), fc.array(fc.string(), { maxLength: 60 }), (n, max, ids) => {
        const pool = EMAILS.concat(['f@x.com'])
          .slice(0, n)
          .map((e) => account(e, { maxConcurrent: max, maxPerMinute: 1000 }));
        for (const jobId of ids) {
          const pick = pickAccount(pool, { ...fast, jobId }, NOW);
          if (pick.kind !== 'account') {
            expect(pool.every((a) => a.running === max)).toBe(true);
            break;
          }
          pool.find((a) => a.email === pick.email)!.running++;
          const counts = pool.map((a) => a.running);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it('spreads load evenly over many picks and releases between equal accounts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.boolean(), { minLength: 1500, maxLength: 1500 }),
        fc.integer(),
        (n, max, releaseFirst, salt) => {
          const pool = EMAILS.slice(0, n).map((e) => account(e, { maxConcurrent: max, maxPerMinute: 1000 }));
          const picks = new Map<string, number>(pool.map((a) => [a.email, 0]));
          const runningJobs: AccountSnapshot[] = [];
          releaseFirst.forEach((release, i) => {
            // Release the oldest job (first in, first out) when asked or when every slot is taken.
            if ((release && runningJobs.length > 0) || runningJobs.length === n * max) runningJobs.shift()!.running--;
            const pick = pickAccount(pool, { ...fast, jobId: `job_${salt}_${i}` }, NOW);
            expect(pick.kind).toBe('account');
            if (pick.kind !== 'account') return;
            const chosen = pool.find((a) => a.email === pick.email)!;
            chosen.running++;
            runningJobs.push(chosen);
            picks.set(chosen.email, picks.get(chosen.email)! + 1);
          });
          const counts = [...picks.values()];
          const mean = releaseFirst.length / n;
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(Math.ceil(mean * 0.05));
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('pinOf: the one account a job may run on', () => {
  it.each([
    ['nothing named, no images', {}, { kind: 'ok', pin: null }],
    ['a named account, lower-cased', { email: 'A@X.com' }, { kind: 'ok', pin: 'a@x.com' }],
    ['the account holding its images', { images: [imageOf('b@x.com')] }, { kind: 'ok', pin: 'b@x.com' }],
    ['named and holding the images alike', { email: 'b@x.com', images: [imageOf('b@x.com')] }, { kind: 'ok', pin: 'b@x.com' }],
    ['an image id without an account part', { images: ['no-account-part'] }, { kind: 'ok', pin: null }],
    ["flowq's own images (uploaded to whichever account takes the job)", { images: ['img_01hx00000000000000aaaa'] }, { kind: 'ok', pin: null }],
    ["flowq's own image beside a named account", { email: 'a@x.com', images: ['img_01hx00000000000000aaaa'] }, { kind: 'ok', pin: 'a@x.com' }],
    ['images of two accounts', { images: [imageOf('a@x.com'), imageOf('b@x.com')] }, { kind: 'impossible', reason: 'images_span_accounts' }],
    ['named, with images of another', { email: 'a@x.com', images: [imageOf('b@x.com')] }, { kind: 'impossible', reason: 'pinned_conflict' }],
  ])('%s', (_, job, expected) => {
    expect(pinOf({ images: [], ...job })).toEqual(expected);
  });
});
