import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { MIGRATIONS_FOLDER, migrateDatabase } from '@flowq/db';
import pg from 'pg';

export const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

function answers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface TestServices {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

/**
 * Where the tests find Postgres and Redis: `DATABASE_URL` / `REDIS_URL` when set, else the
 * local services when they answer, else containers started with testcontainers (a laptop
 * with Docker). CI machines have local services and no Docker engine.
 */
export async function resolveTestServices(env = process.env): Promise<TestServices> {
  let databaseUrl = env.DATABASE_URL;
  let redisUrl = env.REDIS_URL;
  const stops: (() => Promise<unknown>)[] = [];
  if (!databaseUrl) {
    if (await answers('127.0.0.1', 5432)) databaseUrl = LOCAL_DATABASE_URL;
    else {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const c = await new PostgreSqlContainer('postgres:16-alpine').start();
      databaseUrl = c.getConnectionUri();
      stops.push(() => c.stop());
    }
  }
  if (!redisUrl) {
    if (await answers('127.0.0.1', 6379)) redisUrl = LOCAL_REDIS_URL;
    else {
      const { RedisContainer } = await import('@testcontainers/redis');
      const c = await new RedisContainer('redis:7-alpine').start();
      redisUrl = c.getConnectionUrl();
      stops.push(() => c.stop());
    }
  }
  return {
    databaseUrl,
    redisUrl,
    stop: async () => {
      await Promise.all(stops.map((s) => s()));
    },
  };
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Name of the migrated template database; changes whenever a migration does. */
export function templateName(): string {
  const hash = createHash('sha256');
  for (const f of readdirSync(MIGRATIONS_FOLDER)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    hash.update(f).update(readFileSync(`${MIGRATIONS_FOLDER}/${f}`));
  }
  return `flowq_tpl_${hash.digest('hex').slice(0, 12)}`;
}

/** Build the template database every test file clones (migrations applied once per run). */
export async function prepareTemplate(serverUrl: string): Promise<string> {
  const name = templateName();
  await migrateDatabase(withDatabase(serverUrl, name));
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [name]);
  } finally {
    await admin.end();
  }
  return name;
}
