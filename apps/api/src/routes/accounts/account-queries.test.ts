import { accountEvents, changeAccount, findAccount, insertAccount, latestAccountEvents, removeDrainedAccounts, seedAccounts } from '@flowq/db';
import { createTestDatabase, type TestDatabase } from '@flowq/testing';
import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('account-queries');
});
afterAll(async () => t.drop());

describe('account queries the worker shares', () => {
  it('seedAccounts adds the missing ones with an added event each, and leaves existing ones alone', async () => {
    await insertAccount(t.db, { email: 'seed-old@x.test', tier: 'pro', maxConcurrent: 2 });
    const added = await seedAccounts(t.db, [
      { email: 'Seed-New@x.test', tier: 'ultra' },
      { email: 'seed-old@x.test', tier: 'ultra', maxConcurrent: 9 },
    ]);
    expect(added).toEqual(['seed-new@x.test']);
    expect(await findAccount(t.db, 'seed-old@x.test')).toMatchObject({ tier: 'pro', maxConcurrent: 2 });
    const events = await t.db.select().from(accountEvents).orderBy(asc(accountEvents.id));
    expect(events.filter((e) => e.email === 'seed-new@x.test')).toEqual([expect.objectContaining({ kind: 'added', reason: 'seeded from FLOWQ_ACCOUNTS' })]);
  });

  it('changeAccount rolls the change and its event back together when the decision throws', async () => {
    await insertAccount(t.db, { email: 'rollback@x.test' });
    await expect(
      changeAccount(t.db, 'rollback@x.test', () => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await changeAccount(t.db, 'missing@x.test', () => null)).toEqual({ kind: 'not_found' });
    const result = await changeAccount(t.db, 'ROLLBACK@x.test', () => ({ set: { state: 'disabled' }, event: { kind: 'state_changed', reason: 'r' } }));
    expect(result).toMatchObject({ kind: 'changed', before: { state: 'active' }, after: { state: 'disabled' } });
    const events = (await latestAccountEvents(t.db, ['rollback@x.test'], 5)).get('rollback@x.test')!;
    expect(events.map((e) => [e.kind, e.fromState, e.toState])).toEqual([
      ['state_changed', 'active', 'disabled'],
      ['added', null, 'active'],
    ]);
  });

  it('removeDrainedAccounts removes only draining accounts that are idle, with a removed event', async () => {
    await insertAccount(t.db, { email: 'drained@x.test' });
    await insertAccount(t.db, { email: 'still-busy@x.test' });
    await insertAccount(t.db, { email: 'not-draining@x.test' });
    for (const email of ['drained@x.test', 'still-busy@x.test']) {
      await changeAccount(t.db, email, () => ({ set: { draining: true }, event: { kind: 'draining' } }));
    }
    const asked: string[] = [];
    const removed = await removeDrainedAccounts(t.db, async (email) => {
      asked.push(email);
      return email !== 'still-busy@x.test';
    });
    expect(removed).toEqual(['drained@x.test']);
    expect(asked.sort()).toEqual(['drained@x.test', 'still-busy@x.test']);
    expect(await findAccount(t.db, 'drained@x.test')).toBeUndefined();
    expect(await findAccount(t.db, 'still-busy@x.test')).toBeDefined();
    expect(await findAccount(t.db, 'not-draining@x.test')).toBeDefined();
    expect((await latestAccountEvents(t.db, ['drained@x.test'], 1)).get('drained@x.test')).toEqual([
      expect.objectContaining({ kind: 'removed', fromState: 'active', reason: 'drained: its last job ended' }),
    ]);
  });
});
