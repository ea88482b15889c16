import { accountEvents, findAccount, insertAccount } from '@flowq/db';
import { startFlowSimulator, type FlowSimulator } from '@flowq/flow-simulator';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test-app';

let sim: FlowSimulator;
let t: Awaited<ReturnType<typeof buildTestApp>>;

beforeAll(async () => {
  sim = await startFlowSimulator({
    accounts: [
      { email: 'known@flow.test', tier: 'ultra', credits: 25_000 },
      { email: 'fresh-ultra@flow.test', tier: 'ultra', credits: 18_000 },
      { email: 'fresh-pro@flow.test', tier: 'pro', credits: 900 },
      { email: 'expired@flow.test', tier: 'pro' },
      { email: 'was-fine@flow.test', tier: 'pro' },
    ],
    seed: 7,
  });
  t = await buildTestApp('accounts-sync', { USEAPI_BASE_URL: sim.baseUrl });
  // flowq knew two of them (one with the wrong tier) and one useapi has never heard of.
  await insertAccount(t.db.db, { email: 'known@flow.test', tier: 'pro' });
  await insertAccount(t.db.db, { email: 'was-fine@flow.test', tier: 'pro' });
  await insertAccount(t.db.db, { email: 'only-here@flow.test', tier: 'pro' });
});
afterAll(async () => {
  await t?.close();
  await sim?.close();
});

const sync = () => t.app.inject({ method: 'POST', url: '/v1/accounts/sync', headers: t.auth });
const kinds = async (email: string) =>
  (await t.db.db.select().from(accountEvents).where(eq(accountEvents.email, email)).orderBy(accountEvents.id)).map((e) => e.kind);

describe('POST /v1/accounts/sync against the simulator', () => {
  it('adds the missing accounts, takes tier and credits from useapi, and marks dead sessions needs_reauth', async () => {
    sim.faults.setAccountState('expired@flow.test', 'needs_reauth');
    sim.faults.setAccountState('was-fine@flow.test', 'needs_reauth');
    const res = await sync();
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect([...body.added].sort()).toEqual(['expired@flow.test', 'fresh-pro@flow.test', 'fresh-ultra@flow.test']);
    expect([...body.updated].sort()).toEqual(['known@flow.test', 'was-fine@flow.test']);
    expect([...body.unhealthy].sort()).toEqual(['expired@flow.test', 'was-fine@flow.test']);
    expect(body.notAtUseapi).toEqual(['only-here@flow.test']);

    const byEmail = Object.fromEntries(body.accounts.map((a: { email: string }) => [a.email, a]));
    expect(Object.keys(byEmail)).toHaveLength(6);
    expect(byEmail['known@flow.test']).toMatchObject({ tier: 'ultra', remainingCredits: 25_000, state: 'active' });
    expect(byEmail['known@flow.test'].events[0]).toMatchObject({
      kind: 'synced',
      reason: expect.stringMatching(/^sync: credits unknown -> 25000; tier pro -> ultra; models unknown -> .*veo-3\.1-fast/),
    });
    expect(byEmail['fresh-ultra@flow.test']).toMatchObject({ tier: 'ultra', remainingCredits: 18_000, state: 'active', maxConcurrent: 4 });
    expect(byEmail['fresh-pro@flow.test']).toMatchObject({ tier: 'pro', remainingCredits: 900, state: 'active' });
    expect(byEmail['expired@flow.test']).toMatchObject({ state: 'needs_reauth', stateReason: expect.stringMatching(/Failed to refresh session/) });
    expect(byEmail['was-fine@flow.test']).toMatchObject({ state: 'needs_reauth', stateReason: expect.stringMatching(/Failed to refresh session/) });
    expect(byEmail['was-fine@flow.test'].events[0]).toMatchObject({ kind: 'state_changed', fromState: 'active', toState: 'needs_reauth' });
    // useapi no longer knows it: it leaves the pool as `missing` (issue 11), not silently active.
    expect(byEmail['only-here@flow.test']).toMatchObject({ state: 'missing' });
    expect(await kinds('fresh-ultra@flow.test')).toEqual(['added']);
  });

  it('changes nothing and records nothing when useapi says the same again', async () => {
    const before = await kinds('known@flow.test');
    const body = (await sync()).json();
    expect(body).toMatchObject({ added: [], updated: [] });
    expect(await kinds('known@flow.test')).toEqual(before);
    expect(await kinds('was-fine@flow.test')).toEqual(['added', 'state_changed']);
  });

  it('follows the credits as they are spent, and leaves needs_reauth for a person to lift', async () => {
    sim.faults.setCredits('known@flow.test', 24_990);
    sim.faults.setAccountState('was-fine@flow.test', 'ok');
    const body = (await sync()).json();
    expect([...body.updated].sort()).toEqual(['known@flow.test', 'was-fine@flow.test']);
    expect((await findAccount(t.db.db, 'known@flow.test'))?.remainingCredits).toBe(24_990);
    // Healthy again upstream: its credits are read, but only a person puts it back to work.
    expect(await findAccount(t.db.db, 'was-fine@flow.test')).toMatchObject({ state: 'needs_reauth', remainingCredits: 1_000 });
  });

  it('answers 503 naming useapi when it refuses, and changes nothing', async () => {
    const before = await t.db.db.select().from(accountEvents);
    sim.faults.setCredits('known@flow.test', 1);
    sim.faults.setTokenValid(false);
    try {
      const res = await sync();
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toMatchObject({ code: 'service_unavailable', message: expect.stringMatching(/useapi GET \/accounts failed \(401\)/) });
      expect(JSON.stringify(res.json())).not.toContain('token-for-tests');
      expect(await t.db.db.select().from(accountEvents)).toHaveLength(before.length);
      expect((await findAccount(t.db.db, 'known@flow.test'))?.remainingCredits).toBe(24_990);
    } finally {
      sim.faults.setTokenValid(true);
    }
  });
});
