import { randomBytes } from 'node:crypto';
import { withDatabase } from '@flowq/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '@flowq/db';

describe('migrations', () => {
  const name = `flowq_t_migrate_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(process.env.DATABASE_URL!, name);

  afterAll(async () => {
    const c = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
    await c.connect();
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.end();
  });

  it('creates a missing database and applies every migration to it, twice without harm', async () => {
    await migrateDatabase(url);
    await migrateDatabase(url);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = 'public' order by 1`);
      expect(rows.map((r) => r.table_name)).toEqual([
        'account_events',
        'accounts',
        'api_keys',
        'batches',
        'callback_attempts',
        'callback_deliveries',
        'idempotency_keys',
        'image_uploads',
        'images',
        'job_attempts',
        'jobs',
        'media_files',
      ]);
      const applied = await c.query('select count(*)::int as n from drizzle.__drizzle_migrations');
      expect(applied.rows[0].n).toBeGreaterThanOrEqual(1);
    } finally {
      await c.end();
    }
  });
});
