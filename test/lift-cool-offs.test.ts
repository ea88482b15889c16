import { coolOffAccount, findAccount, liftExpiredCoolOffs, listAccountEvents, seedAccounts } from '@flowq/db';
import { createTestDatabase, type TestDatabase } from '@flowq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('lift-cool-offs');
});
afterAll(() => t.drop());

describe('liftExpiredCoolOffs (one statement, each lifted account with its event)', () => {
  it('lifts only the cool-offs whose time has come, each with one cool_off_lifted event; nothing due changes nothing', async () => {
    await seedAccounts(t.db, [
      { email: 'due@x.test', tier: 'pro' },
      { email: 'later@x.test', tier: 'pro' },
      { email: 'active@x.test', tier: 'pro' },
    ]);
    const now = new Date();
    expect(await coolOffAccount(t.db, 'due@x.test', new Date(now.getTime() - 1_000), 'r')).toBe(true);
    expect(await coolOffAccount(t.db, 'later@x.test', new Date(now.getTime() + 3_600_000), 'r')).toBe(true);

    expect(await liftExpiredCoolOffs(t.db, now)).toEqual(['due@x.test']);
    expect(await findAccount(t.db, 'due@x.test')).toMatchObject({ state: 'active', coolingUntil: null, stateReason: null });
    expect(await findAccount(t.db, 'later@x.test')).toMatchObject({ state: 'cooling' });
    expect(await findAccount(t.db, 'active@x.test')).toMatchObject({ state: 'active' });
    const lifted = (await listAccountEvents(t.db, 'due@x.test')).filter((e) => e.kind === 'cool_off_lifted');
    expect(lifted.map((e) => [e.email, e.fromState, e.toState])).toEqual([['due@x.test', 'cooling', 'active']]);

    expect(await liftExpiredCoolOffs(t.db, now)).toEqual([]);
    expect((await listAccountEvents(t.db, 'due@x.test')).filter((e) => e.kind === 'cool_off_lifted')).toHaveLength(1);
    expect((await listAccountEvents(t.db, 'later@x.test')).filter((e) => e.kind === 'cool_off_lifted')).toHaveLength(0);
  });
});
