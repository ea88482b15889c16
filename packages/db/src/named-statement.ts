import type pg from 'pg';
import type { Db } from './client';

/**
 * The node-postgres client under a query builder: the pool, or a transaction's connection when
 * `db` is one (`inTransaction`). For named statements of fixed text, which Postgres parses and
 * plans once per connection where drizzle would build the query on every call.
 */
export function pgClientOf(db: Db): pg.Pool | pg.PoolClient {
  return (db as unknown as { $client: pg.Pool | pg.PoolClient }).$client;
}
