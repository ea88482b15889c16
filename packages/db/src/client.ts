import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema';

export type Db = NodePgDatabase<typeof schema>;

export interface Database {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function createDatabase(url: string, options: { max?: number; onError?: (err: Error) => void } = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (err) => options.onError?.(err));
  // A checked-out client (a transaction) has no listener of pg-pool's: when its connection dies,
  // pg emits 'error' on it, which would kill the process. Its queries reject anyway, and the pool
  // drops it on release, so noting the error is all there is to do.
  pool.on('connect', (client) => client.on('error', (err) => options.onError?.(err)));
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}
