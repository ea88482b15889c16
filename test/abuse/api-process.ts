import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis, freePort } from '@flowq/testing';

const API_MAIN = fileURLToPath(new URL('../../apps/api/src/main.ts', import.meta.url));
export const ABUSE_API_KEY = 'abuse-api-key-0123456789';

/** Resident memory of a process in bytes, read from /proc (Linux); null once it has exited. */
export function rssOf(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export interface ApiProcess {
  child: ChildProcess;
  address: string;
  db: TestDatabase;
  redis: TestRedis;
  /** What it wrote, for a failing test's message (a heap blow-up prints its FATAL line here). */
  output(): string;
  /** Exit code or signal once it has exited, else null. */
  exited(): string | null;
  stop(): Promise<void>;
}

/**
 * The API as `pnpm start` runs it: its own Node process (default heap limit), so a crash or a
 * heap blow-up kills it and is seen here, not hidden inside the test runner. No worker runs:
 * accepted jobs stay queued, and the process measured is the one that took the request.
 */
export async function startApiProcess(label: string, env: Record<string, string> = {}): Promise<ApiProcess> {
  const db = await createTestDatabase(label);
  const redis = await createTestRedis(label);
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', API_MAIN], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      FLOWQ_API_KEYS: ABUSE_API_KEY,
      USEAPI_TOKEN: 'abuse-useapi-token-abcdefghijklmnop',
      FLOWQ_SECRET_KEY: 'abuse-secret-key-0123456789abcdefghijklmnop',
      BULL_BOARD_PASSWORD: 'abuse-board-password',
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const address = `http://127.0.0.1:${port}`;
  const exited = () => (child.exitCode !== null ? `exit ${child.exitCode}` : child.signalCode !== null ? `signal ${child.signalCode}` : null);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited()) throw new Error(`the API process ended before it answered (${exited()}):\n${output}`);
    const up = await fetch(`${address}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`the API process did not answer /healthz in 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    address,
    db,
    redis,
    output: () => output,
    exited,
    async stop() {
      if (!exited()) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
        if (!exited()) child.kill('SIGKILL');
      }
      await redis.cleanup();
      await db.drop();
    },
  };
}
