import { randomBytes } from 'node:crypto';
import { createDatabase, type Database } from '@flowq/db';
import pg from 'pg';
import { templateName, withDatabase } from './services';

export interface TestDatabase extends Database {
  url: string;
  name: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests through vitest (its global setup resolves the services)');
  return url;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: withDatabase(serverUrl(), 'postgres') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh, migrated database of this test file's own, cloned from the run's template. */
export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const name = `flowq_t_${label
    .replace(/[^a-z0-9]/gi, '')
    .slice(0, 20)
    .toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const template = templateName();
  await admin(async (c) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`create database "${name}" template "${template}"`);
        return;
      } catch (err) {
        // Two files cloning the template at the same instant: Postgres refuses the second; try again.
        if (attempt >= 20 || (err as { code?: string }).code !== '55006') throw err;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  });
  const url = withDatabase(serverUrl(), name);
  const database = createDatabase(url, { max: 10 });
  return {
    ...database,
    url,
    name,
    drop: async () => {
      await database.close();
      await admin((c) => c.query(`drop database if exists "${name}" with (force)`));
    },
  };
}
