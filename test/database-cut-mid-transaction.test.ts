import { createDatabase, inTransaction, isDatabaseUnavailable, jobs } from '@flowq/db';
import { createTestDatabase, type TestDatabase } from '@flowq/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, targetOf, type TcpProxy } from './support/tcp-proxy';

// A client checked out of the pool (a transaction) has no 'error' listener of pg-pool's: when its
// connection dies, pg emits 'error' on it, and without a listener of ours that kills the process.
// That took every worker of the crash fault scenario down at once when Postgres was cut.
describe('Postgres cut while a transaction holds a connection', () => {
  let base: TestDatabase;
  let proxy: TcpProxy;
  beforeAll(async () => {
    base = await createTestDatabase('cut-tx');
    proxy = await startTcpProxy(targetOf(base.url, 5432));
  });
  afterAll(async () => {
    await proxy.close();
    await base.drop();
  });

  it('rejects the transaction as unavailability, keeps the process alive, and the pool works again after', async () => {
    const seen: Error[] = [];
    const database = createDatabase(proxy.rewrite(base.url), { max: 2, onError: (err) => seen.push(err) });
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.prependListener('uncaughtException', onUncaught);
    try {
      let opened!: () => void;
      const inside = new Promise<void>((r) => (opened = r));
      let resume!: () => void;
      const paused = new Promise<void>((r) => (resume = r));
      const tx = inTransaction(database.db, async (t) => {
        await t.execute(sql`select 1`);
        opened();
        await paused; // other I/O inside the transaction, as the archive and budget steps do
        await t.execute(sql`select 2`);
      });
      const outcome = tx.then(
        () => null,
        (err: unknown) => err,
      );
      await inside;
      proxy.cut();
      await new Promise((r) => setTimeout(r, 300));
      resume();
      const err = await outcome;
      expect(err, 'the transaction must fail, not hang or succeed').toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(err)).toBe(true);
      expect(uncaught).toEqual([]);
      expect(seen.map((e) => e.message)).toContain('Connection terminated unexpectedly');

      await proxy.restore();
      const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(jobs);
      expect(row!.n).toBe(0);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      await database.close();
    }
  });

  // drizzle's own transaction() sends BEGIN before its try: when that BEGIN fails, the client is
  // never released, and pool.end() waits forever. It hung worker shutdowns after a Postgres cut.
  it('gives a connection lost between checkout and BEGIN back to the pool, so closing does not wait for it', async () => {
    const database = createDatabase(base.url, { max: 2, onError: () => undefined });
    let severed = 0;
    database.pool.once('acquire', (client) => {
      severed++;
      (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    });
    const err = await inTransaction(database.db, async (t) => t.execute(sql`select 1`)).catch((e: unknown) => e);
    expect(severed).toBe(1);
    expect(err, 'BEGIN on a dead connection must fail').toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(err)).toBe(true);

    // The pool still works, and the dead client is not handed out again.
    const rows = await inTransaction(database.db, async (t) => t.select({ n: sql<number>`count(*)::int` }).from(jobs));
    expect(rows[0]!.n).toBe(0);

    const closed = await Promise.race([database.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('still waiting'), 5_000))]);
    expect(closed, `checked out: ${database.pool.totalCount - database.pool.idleCount}`).toBe('closed');
  });
});
