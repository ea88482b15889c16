import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const START = fileURLToPath(new URL('../scripts/start.ts', import.meta.url));

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function runStart(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', START], {
    env: { ...process.env, PORT: '0', SIM_PORT: String(await closedPort()), SERVICES_WAIT_SECONDS: '2', LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, out };
}

describe('pnpm start without its services', () => {
  it('waits a bounded time for Redis, then gives up with one message naming the address and the fix', async () => {
    const port = await closedPort();
    const { code, out } = await runStart({ REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(code).toBe(1);
    const messages = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    const fix = `Redis at 127.0.0.1:${port} is not reachable: start it or set REDIS_URL; see README (Quick start)`;
    expect(messages.filter((m) => m.level >= 40 && m.msg.startsWith('Redis')).map((m) => m.msg)).toEqual([`${fix}; waiting up to 2 s`, `${fix} (waited 2 s)`]);
    expect(out).not.toContain('    at ');
  });

  it('does the same for PostgreSQL', async () => {
    const port = await closedPort();
    const { code, out } = await runStart({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/flowq` });
    expect(code).toBe(1);
    expect(out).toContain(`PostgreSQL at 127.0.0.1:${port} is not reachable: start it or set DATABASE_URL; see README (Quick start) (waited 2 s)`);
    expect(out).not.toContain('    at ');
  });
});
