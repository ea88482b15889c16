import { afterEach, describe, expect, it } from 'vitest';
import type { FlowSimulator } from './server';
import { call, fastSimulator, PRO, submit, ULTRA, waitFor } from './test-support';

const THROTTLED = {
  error: {
    code: 429,
    message: 'Resource has been exhausted (e.g. check quota).',
    status: 'RESOURCE_EXHAUSTED',
    details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'PUBLIC_ERROR_USER_REQUESTS_THROTTLED' }],
  },
};

describe('per-account concurrency', () => {
  let sim: FlowSimulator;
  afterEach(() => sim.close());

  it('answers 429 THROTTLED above the limit and never runs more than the limit', async () => {
    sim = await fastSimulator({ maxConcurrentPerAccount: 2, generationMs: { min: 80, max: 100 } });
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => submit(sim, { prompt: `p${i}`, email: ULTRA, async: true })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 429, 429, 429]);
    const throttled = answers.find((a) => a.status === 429)!;
    expect(throttled.body).toEqual({ ...THROTTLED, retryAfter: expect.any(String) });
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(sim.log.maxObservedConcurrency(ULTRA)).toBe(2);
    expect(sim.log.overSubmission429s(ULTRA)).toBe(3);
    expect(sim.log.injected429s(ULTRA)).toBe(0);

    // Slots free up once jobs finish.
    await waitFor(async () => (await call(sim, 'GET', '/jobs?options=executing')).body.jobs.length === 0);
    expect((await submit(sim, { prompt: 'again', email: ULTRA, async: true })).status).toBe(201);
    expect(sim.log.maxObservedConcurrency()).toBe(2);
  });

  it('honours a per-account limit and its runtime override', async () => {
    sim = await fastSimulator({ accounts: [{ email: ULTRA, tier: 'ultra', maxConcurrent: 1 }], generationMs: { min: 200, max: 200 } });
    expect((await submit(sim, { prompt: 'a', async: true })).status).toBe(201);
    expect((await submit(sim, { prompt: 'b', async: true })).status).toBe(429);
    sim.faults.setMaxConcurrent(ULTRA, 2);
    expect((await submit(sim, { prompt: 'c', async: true })).status).toBe(201);
    expect(sim.log.maxObservedConcurrency(ULTRA)).toBe(2);
  });

  it('without email, the balancer picks the account with the fewest executing jobs', async () => {
    sim = await fastSimulator({ generationMs: { min: 300, max: 300 } });
    const first = await submit(sim, { prompt: 'a', async: true });
    const second = await submit(sim, { prompt: 'b', async: true });
    expect(first.body.jobid).toContain(`email:${ULTRA}`);
    expect(second.body.jobid).toContain(`email:${PRO}`);
  });

  it('without an eligible account, answers no_eligible_account with skip reasons', async () => {
    sim = await fastSimulator();
    sim.faults.setAccountState(ULTRA, 'needs_reauth');
    const res = await submit(sim, { prompt: 'low priority', model: 'veo-3.1-lite-low-priority' });
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({
      error: 'no_eligible_account',
      skipReasons: [
        { email: ULTRA, reason: 'needs_reauth', model: 'veo-3.1-lite-low-priority' },
        { email: PRO, reason: 'model_not_available', model: 'veo-3.1-lite-low-priority' },
      ],
    });
    expect(Date.parse(res.body.retryAfter)).toBeGreaterThan(Date.now());
  });
});
