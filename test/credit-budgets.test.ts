/**
 * Issue 11 point 5, as a user would meet it: a job or a batch with `maxCredits` is never
 * submitted past its budget; what does not fit waits `over_budget` (in progress and exports)
 * and runs once the budget is raised; a failed job gives its credits back.
 */
import { waitFor } from '@flowq/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startFlowq, type FlowqUnderTest } from './support/start-flowq';

// omni-flash 10 s 360p costs 7 credits on either tier, so every job's price is known up front.
const SEVEN_CREDITS = { model: 'omni-flash', duration: 10, aspectRatio: 'portrait', resolution: '360p' };

let flowq: FlowqUnderTest | undefined;
afterEach(async () => {
  await flowq?.stop();
  flowq = undefined;
});

async function json<T = any>(res: Response, status: number): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
}

async function batchWhen(f: FlowqUnderTest, id: string, done: (b: any) => boolean, what: string) {
  return waitFor(
    async () => {
      const b = await json(await f.request(`/v1/batches/${id}`), 200);
      return done(b) ? b : null;
    },
    { timeoutMs: 30_000, what },
  );
}

async function jobWhen(f: FlowqUnderTest, id: string, statuses: string[]) {
  return waitFor(
    async () => {
      const j = await json(await f.request(`/v1/jobs/${id}`), 200);
      return statuses.includes(j.status) ? j : null;
    },
    { timeoutMs: 30_000, what: `job ${id} to be ${statuses.join(' or ')}` },
  );
}

const moving = (b: any) => b.counts.queued + b.counts.submitting + b.counts.running + b.counts.archiving;

describe('credit budgets (maxCredits)', () => {
  it('a batch runs only what its budget covers, shows the rest over_budget, and finishes once the budget is raised', async () => {
    flowq = await startFlowq('budget-batch');
    const items = Array.from({ length: 5 }, (_, i) => ({ prompt: `a paper crane ${i}`, ref: `r${i}`, ...SEVEN_CREDITS }));
    const created = await json(await flowq.request('/v1/batches', { method: 'POST', json: { name: 'budget', maxCredits: 21, items } }), 201);

    const waiting = await batchWhen(flowq, created.id, (b) => moving(b) === 0, 'the batch to stop moving');
    expect(waiting.counts.succeeded).toBe(3);
    expect(waiting.counts.over_budget).toBe(2);
    expect(waiting.status).toBe('active');
    expect(waiting.finishedAt).toBeNull();
    expect(waiting.credits).toMatchObject({ spent: 21, maxCredits: 21, committed: 21 });
    expect(flowq.sim.log.submissions().filter((e) => e.status === 200 || e.status === 201)).toHaveLength(3);

    const csv = await (await flowq.request(`/v1/batches/${created.id}/results?format=csv`)).text();
    expect(csv.split('\n').filter((l) => l.includes('over_budget'))).toHaveLength(2);

    const raised = await json(await flowq.request(`/v1/batches/${created.id}`, { method: 'PATCH', json: { maxCredits: 35 } }), 200);
    expect(raised.requeued).toBe(2);
    const done = await batchWhen(flowq, created.id, (b) => b.status === 'finished', 'the batch to finish');
    expect(done.counts.succeeded).toBe(5);
    expect(done.credits).toMatchObject({ spent: 35, maxCredits: 35, committed: 35 });
  });

  it('a failed job gives its reservation back to the batch, so the next row fits', async () => {
    flowq = await startFlowq('budget-release', { env: { ACCOUNT_MAX_CONCURRENT: '1' }, sim: { accounts: [{ email: 'acct-1@flowq.test', tier: 'ultra' }] } });
    // The first submission is refused for good (a reference image of another user): the job fails unpaid.
    flowq.sim.faults.failNextSubmits({ kind: 'foreign-asset', email: 'acct-1@flowq.test', count: 1 });
    const items = Array.from({ length: 3 }, (_, i) => ({ prompt: `a lantern ${i}`, ...SEVEN_CREDITS }));
    const created = await json(await flowq.request('/v1/batches', { method: 'POST', json: { maxCredits: 14, items } }), 201);
    const done = await batchWhen(flowq, created.id, (b) => moving(b) === 0, 'the batch to stop moving');
    expect(done.counts).toMatchObject({ failed: 1, succeeded: 2, over_budget: 0 });
    expect(done.credits).toMatchObject({ spent: 14, committed: 14 });
  });

  it('a job over its own budget waits, can be raised or cancelled, and bad budgets are a 400 naming maxCredits', async () => {
    flowq = await startFlowq('budget-job');
    const tight = await json(await flowq.request('/v1/jobs', { method: 'POST', json: { prompt: 'a moth', ...SEVEN_CREDITS, maxCredits: 5 } }), 202);
    expect(tight.maxCredits).toBe(5);
    await jobWhen(flowq, tight.id, ['over_budget']);
    expect(flowq.sim.log.submissions()).toHaveLength(0);
    await json(await flowq.request(`/v1/jobs/${tight.id}`, { method: 'PATCH', json: { maxCredits: 7 } }), 200);
    const ran = await jobWhen(flowq, tight.id, ['succeeded', 'failed']);
    expect(ran.status).toBe('succeeded');
    expect(ran.credits).toBe(7);

    const other = await json(await flowq.request('/v1/jobs', { method: 'POST', json: { prompt: 'a beetle', ...SEVEN_CREDITS, maxCredits: 0 } }), 202);
    await jobWhen(flowq, other.id, ['over_budget']);
    const cancelled = await json(await flowq.request(`/v1/jobs/${other.id}/cancel`, { method: 'POST' }), 200);
    expect(cancelled.status).toBe('cancelled');
    expect((await json(await flowq.request(`/v1/jobs/${other.id}`, { method: 'PATCH', json: { maxCredits: 10 } }), 409)).error.message).toContain('cancelled');

    for (const [path, method, body] of [
      ['/v1/jobs', 'POST', { prompt: 'x', maxCredits: -1 }],
      ['/v1/jobs', 'POST', { prompt: 'x', maxCredits: 1.5 }],
      [`/v1/jobs/${tight.id}`, 'PATCH', { maxCredits: 'lots' }],
      ['/v1/batches', 'POST', { items: [{ prompt: 'x' }], maxCredits: -3 }],
    ] as const) {
      const error = (await json(await flowq.request(path, { method, json: body }), 400)).error;
      expect(error.field ?? error.message, `${method} ${path}`).toContain('maxCredits');
    }
  });
});
