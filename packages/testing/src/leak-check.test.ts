import { createServer, type Server } from 'node:net';
import { afterAll, describe, it } from 'vitest';

// The leak check (leak-check.ts, a vitest setup file) must catch what it promises to; these tests are expected to fail.
const timers: NodeJS.Timeout[] = [];
const servers: Server[] = [];

afterAll(async () => {
  for (const t of timers) clearTimeout(t);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('the leak check', () => {
  it.fails('fails a test that leaves a timer running', () => {
    timers.push(setTimeout(() => undefined, 60_000));
  });

  it.fails('fails a test that leaves a server listening', async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  it('passes a test that closes what it opened', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
    clearTimeout(setTimeout(() => undefined, 60_000));
  });
});
