/**
 * Issue 11, tried as a user would in simulator mode: the 2026 models and fields run, a burst of
 * captcha 403s moves jobs to other accounts and every job still succeeds, an account whose plan
 * lacks a model never receives it, and an account useapi no longer has leaves the pool.
 */
import { accounts, listAttempts } from '@flowq/db';
import { waitFor } from '@flowq/testing';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { startFlowq, type FlowqUnderTest } from './support/start-flowq';
import { jobUntilDone } from './support/job-until-done';

const A1 = 'acct-1@flowq.test';
const A2 = 'acct-2@flowq.test';

let flowq: FlowqUnderTest | undefined;
afterEach(async () => {
  await flowq?.stop();
  flowq = undefined;
});

async function createJob(f: FlowqUnderTest, body: Record<string, unknown>) {
  const res = await f.request('/v1/jobs', { method: 'POST', json: body });
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json()) as { id: string };
}

describe("today's useapi, end to end", () => {
  it('veo-3.1-lite 6 s landscape, omni-flash 10 s portrait 360p and a 1:1 veo-3.1-fast job succeed, each priced at its tier', async () => {
    flowq = await startFlowq('api2026-models');
    const lite = await createJob(flowq, { prompt: 'a lighthouse at dusk', model: 'veo-3.1-lite', duration: 6, aspectRatio: 'landscape' });
    const omni = await createJob(flowq, { prompt: 'a fox in snow', model: 'omni-flash', duration: 10, aspectRatio: 'portrait', resolution: '360p' });
    const square = await createJob(flowq, { prompt: 'a paper boat', model: 'veo-3.1-fast', aspectRatio: '1:1' });
    const [l, o, s] = await Promise.all([jobUntilDone(flowq, lite.id), jobUntilDone(flowq, omni.id), jobUntilDone(flowq, square.id)]);
    for (const job of [l, o, s]) {
      expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
      expect(job.result.videos[0].upstreamExpiresAt).toEqual(expect.any(String));
    }
    // 6 s Veo runs on Ultra only, where lite costs 5; omni-flash 10 s 360p costs 7 on any tier.
    expect(l.account).toBe(A1);
    expect(l.credits).toBe(5);
    expect(o.credits).toBe(7);
    expect(s.credits).toBe(s.account === A1 ? 10 : 20);
    const sent = flowq.sim.log.submissions().filter((e) => e.status === 201);
    expect(sent).toHaveLength(3);
  });

  it('a burst of captcha 403s moves jobs to other accounts, counts against the account, and every job succeeds without using an attempt', async () => {
    flowq = await startFlowq('api2026-captcha', { env: { ACCOUNT_MAX_CONCURRENT: '4' } });
    flowq.sim.faults.failNextSubmits({ kind: 'captcha-quality', email: A1, count: 6 });
    flowq.sim.faults.failNextSubmits({ kind: 'captcha-quality', email: A2, count: 2 });
    const created = await Promise.all(Array.from({ length: 8 }, (_, i) => createJob(flowq!, { prompt: `captcha burst ${i}` })));
    const done = await Promise.all(created.map((c) => jobUntilDone(flowq!, c.id)));
    for (const job of done) {
      expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
      expect(job.attempts).toBe(0);
    }
    // Every refusal armed was answered, except those no job came back to ask for.
    const rejected = flowq.sim.log.submissions().filter((e) => e.status === 403);
    const unanswered = flowq.sim.faults.pendingSubmitFaults().reduce((n, f) => n + f.remaining, 0);
    expect(rejected.length).toBe(8 - unanswered);
    expect(rejected.length).toBeGreaterThan(0);
    // A job refused on one account was accepted on the other at least once: the move is real.
    const moved = created.filter((c) => {
      const prompts = flowq!.sim.log.submissionsFor(done.find((d) => d.id === c.id)!.request.prompt);
      const refusedOn = prompts.filter((e) => e.status === 403).map((e) => e.email);
      const acceptedOn = prompts.find((e) => e.status === 201)?.email;
      return refusedOn.length > 0 && acceptedOn !== undefined && !refusedOn.includes(acceptedOn);
    });
    expect(moved.length).toBeGreaterThan(0);
  });

  it('an account whose plan lacks a model never receives it once useapi said so, and the job runs elsewhere', async () => {
    flowq = await startFlowq('api2026-model-access', {
      sim: {
        accounts: [
          { email: A1, tier: 'ultra' },
          { email: A2, tier: 'pro', models: ['veo-3.1-fast', 'veo-3.1-lite'] },
        ],
      },
    });
    // Learnt from the answer (no sync yet): the first omni job may hit acct-2 once, then never again.
    const first = await Promise.all(Array.from({ length: 3 }, (_, i) => createJob(flowq!, { prompt: `omni learn ${i}`, model: 'omni-flash' })));
    for (const job of await Promise.all(first.map((c) => jobUntilDone(flowq!, c.id)))) expect(job.status).toBe('succeeded');
    // At most the jobs already on their way when the first refusal came back.
    const denied = flowq.sim.log.submissions().filter((e) => e.status === 403 && e.email === A2);
    expect(denied.length).toBeLessThanOrEqual(first.length);
    await waitFor(
      async () => {
        const [row] = await flowq!.db.db.select().from(accounts).where(eq(accounts.email, A2));
        return denied.length === 0 || Object.hasOwn(row!.deniedModels, 'omni-flash');
      },
      { what: 'the refusal to be remembered' },
    );
    // Learnt from the account's own model list: a sync reads GET /accounts/{email}.
    const sync = await flowq.request('/v1/accounts/sync', { method: 'POST' });
    expect(sync.status).toBe(200);
    const [a2] = await flowq.db.db.select().from(accounts).where(eq(accounts.email, A2));
    expect(a2!.videoModels).toEqual(['veo-3.1-fast', 'veo-3.1-lite']);
    flowq.sim.log.reset();
    const more = await Promise.all(Array.from({ length: 6 }, (_, i) => createJob(flowq!, { prompt: `omni more ${i}`, model: 'omni-flash' })));
    for (const job of await Promise.all(more.map((c) => jobUntilDone(flowq!, c.id)))) {
      expect(job.status).toBe('succeeded');
      expect(job.account).toBe(A1);
    }
    expect(flowq.sim.log.submissions().filter((e) => e.email === A2)).toHaveLength(0);
  });

  it('a model no account may run fails naming the model; a 4 s Veo clip with only non-Ultra accounts fails naming duration', async () => {
    flowq = await startFlowq('api2026-no-account', { sim: { accounts: [{ email: A2, tier: 'pro', models: ['veo-3.1-fast'] }] } });
    await flowq.request('/v1/accounts/sync', { method: 'POST' });
    const omni = await jobUntilDone(flowq, (await createJob(flowq, { prompt: 'omni nowhere', model: 'omni-flash' })).id);
    expect(omni.status).toBe('failed');
    expect(omni.error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/model.*omni-flash/) });
    const short = await jobUntilDone(flowq, (await createJob(flowq, { prompt: 'too short', duration: 4 })).id);
    expect(short.status).toBe('failed');
    expect(short.error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/duration.*Ultra/) });
    expect(flowq.sim.log.submissions()).toHaveLength(0);
  });

  it('a 404 on submit takes the account out of the pool as missing, and the job moves', async () => {
    flowq = await startFlowq('api2026-missing');
    flowq.sim.faults.failNextSubmits({ kind: 'account-missing', email: A2, count: 1 });
    const created = await Promise.all(Array.from({ length: 4 }, (_, i) => createJob(flowq!, { prompt: `gone ${i}` })));
    for (const job of await Promise.all(created.map((c) => jobUntilDone(flowq!, c.id)))) expect(job.status).toBe('succeeded');
    const [a2] = await flowq.db.db.select().from(accounts).where(eq(accounts.email, A2));
    if (flowq.sim.log.submissions().some((e) => e.status === 404)) expect(a2!.state).toBe('missing');
    const missing = await Promise.all(created.map((c) => listAttempts(flowq!.db.db, c.id)));
    expect(missing.flat().filter((a) => a.statusCode === 404).length).toBeLessThanOrEqual(1);
  });
});
