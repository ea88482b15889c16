import { accountEvents, accounts, jobs, listAttempts } from '@flowq/db';
import { waitFor } from '@flowq/testing';
import { tokenGateKey, wakeWaitingJobs } from '@flowq/queue';
import { slotKeys } from '@flowq/scheduler';
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { startFlowq, type FlowqUnderTest } from './support/start-flowq';

let flowq: FlowqUnderTest | undefined;
afterEach(async () => {
  await flowq?.stop();
  flowq = undefined;
});

const A1 = 'acct-1@flowq.test';
const A2 = 'acct-2@flowq.test';
const A3 = 'acct-3@flowq.test';

async function submit(f: FlowqUnderTest, body: Record<string, unknown>): Promise<string> {
  const res = await f.request('/v1/jobs', { method: 'POST', json: body });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

async function statusCounts(f: FlowqUnderTest): Promise<Record<string, number>> {
  const rows = await f.db.db.select({ status: jobs.status, n: sql<number>`count(*)::int` }).from(jobs).groupBy(jobs.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function allSucceed(f: FlowqUnderTest, n: number, timeoutMs = 20_000) {
  await waitFor(async () => (await statusCounts(f)).succeeded === n, { timeoutMs, what: `${n} jobs to succeed` });
}

async function account(f: FlowqUnderTest, email: string) {
  const [row] = await f.db.db.select().from(accounts).where(eq(accounts.email, email));
  return row!;
}

async function events(f: FlowqUnderTest, email: string) {
  return f.db.db.select().from(accountEvents).where(eq(accountEvents.email, email));
}

async function workingLimit(f: FlowqUnderTest, email: string): Promise<number | null> {
  const limit = await f.redis.redis.hget(slotKeys(f.config.redis.prefix, email).workingLimit, 'limit');
  return limit === null ? null : Number(limit);
}

describe('account scheduler scenarios', () => {
  it('cools off an account throttled three times and lets the others absorb its work', async () => {
    flowq = await startFlowq('sc-throttle', {
      sim: {
        accounts: [
          { email: A1, tier: 'pro' },
          { email: A2, tier: 'pro' },
          { email: A3, tier: 'pro' },
        ],
        generationMs: { min: 100, max: 200 },
      },
      env: { ACCOUNT_MAX_CONCURRENT: '1', COOLDOWN_AFTER_429S: '3' },
    });
    flowq.sim.faults.failNextSubmits({ kind: 'throttled', email: A1, count: 3 });
    for (let i = 0; i < 15; i++) await submit(flowq, { prompt: `absorb ${i}` });
    await allSucceed(flowq, 15);
    const a1 = await account(flowq, A1);
    expect(a1.state).toBe('cooling');
    expect(a1.coolingUntil!.getTime() - Date.now()).toBeGreaterThan(2.9 * 3600_000);
    expect(a1.stateReason).toMatch(/429/);
    const cooled = (await events(flowq, A1)).filter((e) => e.kind !== 'added');
    expect(cooled.map((e) => e.kind)).toEqual(['cooled_off']);
    const subs = flowq.sim.log.submissions();
    expect(subs.filter((e) => e.email === A1 && e.status === 429)).toHaveLength(3);
    // Once cooled off, A1 got nothing more: the others absorbed its work.
    expect(subs.filter((e) => e.email === A1 && new Date(e.at).getTime() > cooled[0]!.at.getTime())).toHaveLength(0);
    expect(subs.filter((e) => e.email !== A1 && e.status === 201).length).toBeGreaterThanOrEqual(14);
    // Throttles are capacity waits: no job burned an attempt.
    const [sum] = await flowq.db.db.select({ attempts: sql<number>`sum(attempts)::int` }).from(jobs);
    expect(sum!.attempts).toBe(0);
  });

  it('learns a hidden limit of 2 under a configured 4: working limit 2, a few 429s, no cool-off, and a refused raise backs off', async () => {
    flowq = await startFlowq('sc-hidden-limit', {
      // Google really lets this account run 2 at once; flowq is configured with 4.
      sim: { accounts: [{ email: A1, tier: 'pro', maxConcurrent: 2 }], generationMs: { min: 150, max: 300 } },
      env: { ACCOUNT_MAX_CONCURRENT: '4', ACCOUNT_MAX_PER_MINUTE: '1000', COOLDOWN_AFTER_429S: '3', ACCOUNT_LIMIT_RAISE_AFTER: '6' },
    });
    // 25 jobs: the cut, a probe after 6 clean completions, refused; the next probe would come after 24 more.
    for (let i = 0; i < 25; i++) await submit(flowq, { prompt: `hidden ${i}` });
    await allSucceed(flowq, 25, 60_000);
    expect(await workingLimit(flowq, A1)).toBe(2);
    const a1 = await account(flowq, A1);
    expect(a1.state).toBe('active');
    expect((await events(flowq, A1)).map((e) => e.kind)).not.toContain('cooled_off');
    const throttled = flowq.sim.log.submissions().filter((e) => e.status === 429);
    // The first burst above 2 (one or two refused), then the probe of 3.
    expect(throttled.length).toBeGreaterThanOrEqual(2);
    expect(throttled.length).toBeLessThanOrEqual(5);
    expect(flowq.sim.log.maxObservedConcurrency(A1)).toBe(2);
    // None of those 429s counted toward a cool-off (the account's throttle record is empty).
    const statsKey = `${flowq.config.redis.prefix}:stats:${A1}:throttled`;
    expect(await flowq.redis.redis.zcard(statsKey)).toBe(0);
  });

  it('still cools an account off when throttling 429s go on at a limit already cut', async () => {
    flowq = await startFlowq('sc-hidden-cool', {
      sim: { accounts: [{ email: A1, tier: 'pro', maxConcurrent: 2 }], generationMs: { min: 150, max: 300 } },
      env: { ACCOUNT_MAX_CONCURRENT: '4', ACCOUNT_MAX_PER_MINUTE: '1000', COOLDOWN_AFTER_429S: '3' },
    });
    for (let i = 0; i < 8; i++) await submit(flowq, { prompt: `learn ${i}` });
    await allSucceed(flowq, 8, 30_000);
    expect(await workingLimit(flowq, A1)).toBe(2);
    // Now Google refuses whatever runs: 429s under the learned limit count, and three cool it off.
    // (A 429 for a slot taken before the limit was cut again does not count, so how many of the
    // first three count depends on timing: Google keeps refusing for a while.)
    flowq.sim.faults.failNextSubmits({ kind: 'throttled', email: A1, count: 8 });
    for (let i = 0; i < 3; i++) await submit(flowq, { prompt: `refused ${i}` });
    await waitFor(async () => (await account(flowq!, A1)).state === 'cooling', { timeoutMs: 20_000, what: 'A1 to cool off' });
    const a1 = await account(flowq, A1);
    expect(a1.coolingUntil!.getTime() - Date.now()).toBeGreaterThan(2.9 * 3600_000);
    expect((await events(flowq, A1)).map((e) => e.kind)).toContain('cooled_off');
    expect(await workingLimit(flowq, A1)).toBe(1);
  });

  it('a lost wake-up costs a maintenance pass, not the park timer: parked jobs run once a slot is idle, listed in the waiting room or not, with no wake-up sent', async () => {
    flowq = await startFlowq('sc-idle-refill', { env: { WORKER_PARK_MAX_MS: '600000' } });
    await flowq.db.db.update(accounts).set({ state: 'needs_reauth', stateReason: 'test' });
    const ids = [await submit(flowq, { prompt: 'parked 1' }), await submit(flowq, { prompt: 'parked 2' })];
    await waitFor(async () => ((await flowq!.worker.deps.waitingRoom.size()) === 2 ? true : null), { timeoutMs: 10_000, what: 'both jobs to park' });
    expect(flowq.sim.log.submissions()).toHaveLength(0);
    // One of them is not listed any more (its entry popped by a wake-up that then failed): only
    // Postgres still knows it waits.
    const roomKeys = await flowq.redis.redis.keys(`${flowq.config.redis.prefix}:waiting:*`);
    for (const k of roomKeys) for (const m of await flowq.redis.redis.zrange(k, 0, -1)) if (m.endsWith(ids[1]!)) await flowq.redis.redis.zrem(k, m);
    expect(await flowq.worker.deps.waitingRoom.size()).toBe(1);
    // The accounts come back without the wake-all that an admin's change sends: as if it was lost.
    await flowq.db.db.update(accounts).set({ state: 'active', stateReason: null });
    const started = Date.now();
    await allSucceed(flowq, 2, 10_000);
    // Maintenance runs once a second here; the park timer would have taken ten minutes.
    expect(Date.now() - started).toBeLessThan(8_000);
    for (const id of ids) expect((await listAttempts(flowq.db.db, id)).filter((a) => a.kind === 'submit')).toHaveLength(1);
  });

  it('holds jobs while every account cools off, then runs them when the cool-off ends', async () => {
    flowq = await startFlowq('sc-allcool');
    const until = new Date(Date.now() + 2_000);
    await flowq.db.db.update(accounts).set({ state: 'cooling', coolingUntil: until, stateReason: 'test' });
    const ids = [await submit(flowq, { prompt: 'wait 1' }), await submit(flowq, { prompt: 'wait 2' })];
    await new Promise((r) => setTimeout(r, 1_000));
    expect(flowq.sim.log.submissions()).toHaveLength(0);
    expect((await statusCounts(flowq)).queued).toBe(2);
    await allSucceed(flowq, 2);
    for (const e of flowq.sim.log.submissions()) expect(new Date(e.at).getTime()).toBeGreaterThanOrEqual(until.getTime());
    for (const id of ids) expect((await listAttempts(flowq.db.db, id)).filter((a) => a.kind === 'submit')).toHaveLength(1);
    // Maintenance turns expired cool-offs back to active (once a second here) and records it.
    await waitFor(async () => (await account(flowq!, A1)).state === 'active', { what: 'the cool-off to be lifted' });
    expect((await events(flowq, A1)).map((e) => e.kind)).toContain('cool_off_lifted');
  });

  it('596: marks the account needs_reauth; pinned jobs wait, others move on, and the pinned job runs once it is re-added', async () => {
    flowq = await startFlowq('sc-596');
    flowq.sim.faults.setAccountState(A1, 'needs_reauth');
    const pinned = await submit(flowq, { prompt: 'pinned to a1', email: A1 });
    for (let i = 0; i < 4; i++) await submit(flowq, { prompt: `free ${i}` });
    await allSucceed(flowq, 4);
    const a1 = await account(flowq, A1);
    expect(a1.state).toBe('needs_reauth');
    expect(a1.stateReason).toMatch(/refresh session/i);
    expect((await events(flowq, A1)).filter((e) => e.kind === 'state_changed')).toHaveLength(1);
    const [job] = await flowq.db.db.select().from(jobs).where(eq(jobs.id, pinned));
    expect(job!.status).toBe('queued');
    expect(job!.attempts).toBe(0);
    // A person re-adds the account: it becomes active and waiting jobs are woken.
    flowq.sim.faults.setAccountState(A1, 'ok');
    await flowq.db.db.update(accounts).set({ state: 'active', stateReason: null }).where(eq(accounts.email, A1));
    await wakeWaitingJobs(flowq.redis.redis, flowq.config.redis.prefix);
    await allSucceed(flowq, 5, 10_000);
  });

  it('402: marks the account no_credits and runs the jobs elsewhere', async () => {
    flowq = await startFlowq('sc-402');
    flowq.sim.faults.setAccountState(A2, 'no_credits');
    for (let i = 0; i < 6; i++) await submit(flowq, { prompt: `credits ${i}` });
    await allSucceed(flowq, 6);
    expect((await account(flowq, A2)).state).toBe('no_credits');
    expect(flowq.sim.log.submissions().filter((e) => e.email === A2 && e.status === 201)).toHaveLength(0);
  });

  it('401: pauses dispatch service-wide with nothing failed, then resumes when the probe succeeds', async () => {
    flowq = await startFlowq('sc-401');
    flowq.sim.faults.setTokenValid(false);
    for (let i = 0; i < 4; i++) await submit(flowq, { prompt: `token ${i}` });
    const gateKey = tokenGateKey(flowq.config.redis.prefix);
    await waitFor(() => flowq!.redis.redis.get(gateKey), { what: 'the token gate to close' });
    const ready = await fetch(`${flowq.api.address}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.useapi).toMatch(/token/i);
    await new Promise((r) => setTimeout(r, 800));
    // Only the first submit met the 401; the rest waited at the gate.
    expect(flowq.sim.log.submissions().length).toBeLessThanOrEqual(4);
    const during = await statusCounts(flowq);
    expect(during.failed ?? 0).toBe(0);
    flowq.sim.faults.setTokenValid(true);
    await allSucceed(flowq, 4);
    expect(await flowq.redis.redis.get(gateKey)).toBeNull();
    const [sum] = await flowq.db.db.select({ attempts: sql<number>`sum(attempts)::int` }).from(jobs);
    expect(sum!.attempts).toBe(0);
    expect((await fetch(`${flowq.api.address}/readyz`)).status).toBe(200);
  });

  it('runs veo-3.1-lite-low-priority and 4 s Veo clips only on Ultra accounts', async () => {
    flowq = await startFlowq('sc-ultra-only');
    for (let i = 0; i < 3; i++) await submit(flowq, { prompt: `low priority ${i}`, model: 'veo-3.1-lite-low-priority' });
    for (let i = 0; i < 2; i++) await submit(flowq, { prompt: `short ${i}`, model: 'veo-3.1-fast', duration: 4 });
    await allSucceed(flowq, 5);
    const accepted = flowq.sim.log.submissions().filter((e) => e.status === 201);
    expect(accepted).toHaveLength(5);
    for (const e of accepted) expect(e.email).toBe(A1);
  });

  it('a per-model daily quota stops that model on the account and leaves other models running there', async () => {
    flowq = await startFlowq('sc-model-quota', { sim: { accounts: [{ email: A1, tier: 'ultra' }] }, env: { ACCOUNT_MAX_CONCURRENT: '4' } });
    flowq.sim.faults.failNextSubmits({ kind: 'model-quota', email: A1, model: 'veo-3.1-quality' });
    const quality = await submit(flowq, { prompt: 'quality one', model: 'veo-3.1-quality' });
    await waitFor(async () => Object.keys((await account(flowq!, A1)).modelQuotaUntil).length > 0, { what: 'the model quota to be stored' });
    const a1 = await account(flowq, A1);
    const until = new Date(a1.modelQuotaUntil['veo-3.1-quality']!);
    expect(until.getUTCHours()).toBe(0);
    expect(until.getTime()).toBeGreaterThan(Date.now());
    expect(a1.state).toBe('active');
    for (let i = 0; i < 3; i++) await submit(flowq, { prompt: `fast ${i}`, model: 'veo-3.1-fast' });
    await allSucceed(flowq, 3);
    const [q] = await flowq.db.db.select().from(jobs).where(eq(jobs.id, quality));
    expect(q!.status).toBe('queued');
    expect(q!.attempts).toBe(0);
    expect(flowq.sim.log.submissions().filter((e) => e.prompt === 'quality one')).toHaveLength(1);
    expect((await events(flowq, A1)).map((e) => e.kind).filter((k) => k !== 'added')).toEqual(['model_quota']);
  });
});
