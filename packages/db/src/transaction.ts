import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { Db } from './client';
import * as schema from './schema';

/** One query builder per pooled connection, made on its first transaction (the pool reuses its clients). */
const builders = new WeakMap<pg.PoolClient, Db>();
/** Those builders: a query function given one is already inside a transaction, and joins it. */
const inside = new WeakSet<Db>();

/**
 * Runs `work` in one transaction on a connection of its own: commit when it resolves, rollback
 * when it throws. Not drizzle's `db.transaction`: that sends BEGIN outside its try, so a
 * connection cut between checkout and BEGIN leaves the client checked out for good, and
 * `pool.end()` (a worker's shutdown) then waits forever. Here the client goes back on every path,
 * and a client whose connection failed is discarded, not reused.
 */
export async function inTransaction<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  if (inside.has(db)) return work(db);
  const client = await (db as Db & { $client: pg.Pool }).$client.connect();
  // After a failed BEGIN, COMMIT or ROLLBACK the connection may be in any state: dropped, not reused.
  let discard: Error | undefined;
  const run = async (statement: string) => {
    try {
      await client.query(statement);
    } catch (e) {
      discard = e as Error;
      throw e;
    }
  };
  try {
    await run('begin');
    let result: T;
    try {
      result = await work(builderFor(client));
    } catch (e) {
      await run('rollback').catch(() => undefined);
      throw e;
    }
    await run('commit');
    return result;
  } finally {
    client.release(discard);
  }
}

function builderFor(client: pg.PoolClient): Db {
  let builder = builders.get(client);
  if (!builder) {
    builder = drizzle(client, { schema }) as unknown as Db;
    builders.set(client, builder);
    inside.add(builder);
  }
  return builder;
}
