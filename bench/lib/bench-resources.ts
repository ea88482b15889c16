import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface BenchResources {
  /** URL of this run's own, empty database `flowq_bench_<random>` (the API migrates it on start). */
  databaseUrl: string;
  databaseName: string;
  redisUrl: string;
  /** Key prefixes under `flowq-bench:<random>`; every key under them is deleted by `cleanup`. */
  redisPrefix(label: string): string;
  /** Drops the database (closing whatever still holds it) and deletes the run's Redis keys. */
  cleanup(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh Postgres database and Redis key space for one bench run, so runs never see each other's rows. */
export async function createBenchResources(env: NodeJS.ProcessEnv = process.env): Promise<BenchResources> {
  const serverUrl = env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const redisUrl = env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const run = randomBytes(4).toString('hex');
  const databaseName = `flowq_bench_${run}`;
  const adminUrl = withDatabase(serverUrl, 'postgres');
  await adminQuery(adminUrl, `create database ${databaseName}`);
  const rootPrefix = `flowq-bench:${run}`;
  return {
    databaseUrl: withDatabase(serverUrl, databaseName),
    databaseName,
    redisUrl,
    redisPrefix: (label) => `${rootPrefix}:${label}`,
    async cleanup() {
      await adminQuery(adminUrl, `drop database if exists ${databaseName} with (force)`);
      await deleteKeys(redisUrl, `${rootPrefix}:*`);
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function deleteKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
