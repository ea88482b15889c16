import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FlowSimulator } from './server';
import { call, fastSimulator, PRO, startReceiver, submit, ULTRA, waitFor, waitForStatus, type Receiver } from './test-support';

const reasonOf = (body: any) => body?.error?.details?.[0]?.reason;

describe('fault injection', () => {
  let sim: FlowSimulator;
  let receiver: Receiver;
  beforeAll(async () => {
    sim = await fastSimulator();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });
  afterEach(async () => {
    await sim.drainCallbacks();
    sim.reset();
    receiver.received.length = 0;
  });

  it('next N submits get Google 429 reasons, then submits pass again', async () => {
    sim.faults.failNextSubmits({ kind: 'throttled', count: 2 });
    sim.faults.failNextSubmits({ kind: 'quota' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await submit(sim, { prompt: `p${i}`, async: true }));
    expect(statuses.map((s) => s.status)).toEqual([429, 429, 429, 201]);
    expect(statuses.slice(0, 3).map((s) => reasonOf(s.body))).toEqual([
      'PUBLIC_ERROR_USER_REQUESTS_THROTTLED',
      'PUBLIC_ERROR_USER_REQUESTS_THROTTLED',
      'PUBLIC_ERROR_USER_QUOTA_REACHED',
    ]);
    expect(sim.log.injected429s()).toBe(3);
    expect(sim.log.overSubmission429s()).toBe(0);
  });

  it('per-model daily quota hits only that model, per-account faults only that account', async () => {
    sim.faults.failNextSubmits({ kind: 'model-quota', model: 'veo-3.1-quality', count: 5, retryAfterSec: 3600 });
    sim.faults.failNextSubmits({ kind: 'internal', email: PRO });
    expect((await submit(sim, { prompt: 'fast', email: ULTRA, async: true })).status).toBe(201);
    const quality = await submit(sim, { prompt: 'q', email: ULTRA, model: 'veo-3.1-quality', async: true });
    expect(quality.status).toBe(429);
    expect(reasonOf(quality.body)).toBe('PUBLIC_ERROR_PER_MODEL_DAILY_QUOTA_REACHED');
    expect(quality.headers.get('retry-after')).toBe('3600');
    const pro = await submit(sim, { prompt: 'pro', email: PRO, async: true });
    expect(pro).toMatchObject({ status: 500, body: { error: { code: 500, status: 'INTERNAL' } } });
    expect(sim.faults.pendingSubmitFaults()).toEqual([expect.objectContaining({ kind: 'model-quota', remaining: 4 })]);
  });

  it.each([
    ['no-eligible-account', 429, (b: any) => expect(b).toMatchObject({ error: 'no_eligible_account', skipReasons: [] })],
    ['captcha-provider', 503, (b: any) => expect(b).toEqual({ error: 'Captcha service failed: ERROR_ZERO_BALANCE', code: 503 })],
    [
      'google-unavailable',
      503,
      (b: any) => expect(b).toEqual({ error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } }),
    ],
    ['unavailable', 503, (b: any) => expect(b).toBe('Service Unavailable')],
    ['captcha-quality', 403, (b: any) => expect(b.error).toMatch(/^captcha_quality: /)],
    ['model-access-denied', 403, (b: any) => expect(b.error.details[0].reason).toBe('MODEL_ACCESS_DENIED')],
    ['foreign-asset', 403, (b: any) => expect(b.error.status).toBe('PERMISSION_DENIED')],
    ['account-missing', 404, (b: any) => expect(b.error).toMatch(/not found$/)],
    ['unusual-activity', 429, (b: any) => expect(b.error.details[0].reason).toBe('PUBLIC_ERROR_UNUSUAL_ACTIVITY_TOO_MUCH_TRAFFIC')],
    ['timeout', 408, (b: any) => expect(b).toEqual({ error: 'Video generation polling timeout after 120 attempts (600s)' })],
    ['session', 596, (b: any) => expect(b).toEqual({ error: 'Failed to refresh session: 500 Internal Server Error' })],
  ] as const)('%s -> %i', async (kind, status, check) => {
    sim.faults.failNextSubmits({ kind });
    const res = await submit(sim, { prompt: 'p', async: true });
    expect(res.status).toBe(status);
    check(res.body);
    if (status === 429) {
      // 2026: every 429 says when to come back, in the header and in the body.
      expect(Date.parse(res.body.retryAfter)).toBeGreaterThan(Date.now());
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('account needs_reauth: 596 on submit and upload, health text in /accounts, until restored', async () => {
    sim.faults.setAccountState(PRO, 'needs_reauth');
    const res = await submit(sim, { prompt: 'p', email: PRO });
    expect(res).toMatchObject({ status: 596, body: { error: 'Failed to refresh session: 500 Internal Server Error' } });
    expect((await call(sim, 'POST', `/assets/${PRO}`, { raw: { bytes: new Uint8Array(8), type: 'image/png' } })).status).toBe(596);
    const accounts = await call(sim, 'GET', '/accounts');
    expect(accounts.body[PRO].health).toBe('Failed to refresh session: 500 Internal Server Error');
    expect(accounts.body[ULTRA].health).toBe('OK');
    expect((await call(sim, 'GET', `/accounts/${PRO}`)).body.credits).toBeUndefined();
    sim.faults.setAccountState(PRO, 'ok');
    expect((await submit(sim, { prompt: 'p', email: PRO, async: true })).status).toBe(201);
  });

  it('account no_credits: 402 until restored', async () => {
    sim.faults.setAccountState(ULTRA, 'no_credits');
    expect(await submit(sim, { prompt: 'p', email: ULTRA })).toMatchObject({
      status: 402,
      body: { error: 'Account has no subscription or subscription expired' },
    });
    expect((await call(sim, 'GET', `/accounts/${ULTRA}`)).body.credits).toEqual({ credits: 0, userPaygateTier: 'PAYGATE_TIER_NOT_PAID' });
    expect((await submit(sim, { prompt: 'p', email: ULTRA })).status).toBe(402);
  });

  it('invalid token: every call 401 until restored; a configured token is enforced', async () => {
    sim.faults.setTokenValid(false);
    expect(await call(sim, 'GET', '/accounts')).toMatchObject({ status: 401, body: { error: 'Unauthorized' } });
    expect((await submit(sim, { prompt: 'p' })).status).toBe(401);
    sim.faults.setTokenValid(true);
    expect((await call(sim, 'GET', '/accounts')).status).toBe(200);
    expect((await call(sim, 'GET', '/accounts', { token: null })).status).toBe(401);

    const strict = await fastSimulator({ token: 'secret' });
    try {
      expect((await call(strict, 'GET', '/accounts', { token: 'other' })).status).toBe(401);
      expect((await call(strict, 'GET', '/accounts', { token: 'secret' })).status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('content policy marker -> 400 with the Google body at submit', async () => {
    const res = await submit(sim, { prompt: 'something [[unsafe]] here', async: true });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 400,
        message: 'Request contains an invalid argument.',
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'PUBLIC_ERROR_UNSAFE_GENERATION' }],
      },
    });
  });

  it('[[fail]] fails the job later with the failed-job record; sync answers its error', async () => {
    const res = await submit(sim, { prompt: 'doomed [[fail]]', async: true, replyUrl: receiver.url });
    const failed = await waitForStatus(sim, res.body.jobid, 'failed');
    expect(failed.body).toMatchObject({
      status: 'failed',
      error: 'API error: 500',
      errorDetails: 'Upstream model returned an internal error',
      code: 500,
      response: { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } },
    });
    await waitFor(() => receiver.received.length === 3);
    expect(receiver.received.map((r) => r.body.status)).toEqual(['created', 'started', 'failed']);
    const sync = await submit(sim, { prompt: 'sync [[fail]]' });
    expect(sync).toMatchObject({ status: 500, body: { error: 'API error: 500', code: 500 } });
  });

  it('[[fail-clip]] fails exactly one clip of the job', async () => {
    const res = await submit(sim, { prompt: 'partly [[fail-clip]]', count: 3, async: true });
    const done = await waitForStatus(sim, res.body.jobid, 'completed');
    const statuses = done.body.response.operations.map((o: any) => o.status);
    expect(statuses.filter((s: string) => s === 'MEDIA_GENERATION_STATUS_FAILED')).toHaveLength(1);
    expect(statuses.filter((s: string) => s === 'MEDIA_GENERATION_STATUS_SUCCESSFUL')).toHaveLength(2);
  });

  it('callbacks: drop sends nothing, duplicate sends each twice, delay waits', async () => {
    sim.faults.setCallbacks({ mode: 'drop' });
    const dropped = await submit(sim, { prompt: 'drop', async: true, replyUrl: receiver.url });
    await waitForStatus(sim, dropped.body.jobid, 'completed');
    await sim.drainCallbacks();
    expect(receiver.received).toHaveLength(0);
    expect(sim.log.callbacks().map((c) => c.outcome)).toEqual(['dropped', 'dropped', 'dropped']);

    sim.faults.setCallbacks({ mode: 'deliver', duplicate: true });
    const twice = await submit(sim, { prompt: 'dup', async: true, replyUrl: receiver.url });
    await waitForStatus(sim, twice.body.jobid, 'completed');
    await waitFor(() => receiver.received.length === 6);
    expect(receiver.received.map((r) => r.body.status)).toEqual(['created', 'created', 'started', 'started', 'completed', 'completed']);

    receiver.received.length = 0;
    sim.faults.setCallbacks({ mode: 'delay', delayMs: 150, duplicate: false });
    const sentAt = Date.now();
    await submit(sim, { prompt: 'late', async: true, replyUrl: receiver.url });
    await waitFor(() => receiver.received.length === 1);
    expect(receiver.received[0]!.at - sentAt).toBeGreaterThanOrEqual(140);
  });

  it('callback drop rate loses a seeded share of callbacks', async () => {
    sim.faults.setCallbacks({ dropRate: 0.5 });
    // 8 jobs: both accounts at their default limit of 4.
    for (let i = 0; i < 8; i++) expect((await submit(sim, { prompt: `r${i}`, async: true, replyUrl: receiver.url })).status).toBe(201);
    await waitFor(async () => (await call(sim, 'GET', '/jobs?options=executing')).body.jobs.length === 0);
    await sim.drainCallbacks();
    const outcomes = sim.log.callbacks().map((c) => c.outcome);
    expect(outcomes).toHaveLength(24);
    const lost = outcomes.filter((o) => o === 'dropped').length;
    expect(lost).toBeGreaterThan(3);
    expect(lost).toBeLessThan(21);
    expect(receiver.received).toHaveLength(24 - lost);
  });

  it('faults.reset() disarms everything', async () => {
    sim.faults.failNextSubmits({ kind: 'captcha-provider', count: 10 });
    sim.faults.setTokenValid(false);
    sim.faults.setAccountState(ULTRA, 'needs_reauth');
    sim.faults.reset();
    expect((await submit(sim, { prompt: 'p', email: ULTRA, async: true })).status).toBe(201);
  });
});

describe('control routes over HTTP', () => {
  let sim: FlowSimulator;
  beforeAll(async () => {
    sim = await fastSimulator();
  });
  afterAll(() => sim.close());
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.origin}/_sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('arms submit faults, account states, token and expiry without auth', async () => {
    expect((await control('POST', '/faults/submits', { kind: 'throttled', count: 1, email: ULTRA })).status).toBe(200);
    expect((await submit(sim, { prompt: 'p', email: ULTRA, async: true })).status).toBe(429);

    expect((await control('POST', `/accounts/${PRO}`, { state: 'no_credits' })).body.account.state).toBe('no_credits');
    expect((await submit(sim, { prompt: 'p', email: PRO })).status).toBe(402);
    await control('POST', `/accounts/${PRO}`, { state: 'ok', maxConcurrent: 3, credits: 500 });

    await control('POST', '/token', { valid: false });
    expect((await call(sim, 'GET', '/accounts')).status).toBe(401);
    await control('POST', '/token', { valid: true });

    const job = await submit(sim, { prompt: 'expire me', async: true });
    expect((await control('POST', '/jobs/expire', { jobid: job.body.jobid })).body.expired).toBe(1);
    expect((await call(sim, 'GET', `/jobs/${job.body.jobid}`)).status).toBe(410);
    expect((await control('GET', `/jobs/${job.body.jobid}`)).body.plan.clips).toHaveLength(1);

    const state = await control('GET', '/state');
    expect(state.body.accounts.find((a: any) => a.email === PRO)).toMatchObject({ credits: 500, maxConcurrent: 3 });
    expect(state.body.accounts.find((a: any) => a.email === ULTRA).injected429s).toBe(1);

    const log = await control('GET', '/log?prompt=expire%20me');
    expect(log.body.entries).toHaveLength(1);
    expect(log.body.byStatus['429']).toBe(1);

    expect((await control('POST', '/faults/submits', { kind: 'bogus' })).status).toBe(400);
    expect((await control('POST', '/accounts/nobody@flowq.test', { state: 'ok' })).status).toBe(400);

    await control('POST', '/reset');
    const after = await control('GET', '/state');
    expect(after.body.accounts.every((a: any) => a.accepted === 0 && a.state === 'ok')).toBe(true);
    expect((await control('GET', '/log')).body.entries).toEqual([]);
  });
});
