import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServiceProcess {
  name: string;
  pid: number;
  port: number;
  url: string;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** A port nobody listens on right now (the kernel picks it; we release it for the child). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('could not get a free port');
  return address.port;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(250, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Runs a TypeScript entry point in its own Node process (through tsx's loader, so there is
 * one process to stop, not a tsx wrapper and its child) and waits until it accepts TCP
 * connections on `port`. Servers under load never share a process with the load generator.
 */
export async function startServiceProcess(opts: {
  name: string;
  entry: string;
  port: number;
  env: Record<string, string>;
  /** Extra flags for node itself, e.g. ['--cpu-prof'] (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
  cwd?: string;
  timeoutMs?: number;
}): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', opts.entry], {
    cwd: opts.cwd ?? process.cwd(),
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Keep the tail of its output: it is the only clue when a service dies on start.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${opts.name} exited with code ${exitCode} before listening:\n${output}`);
    if (await answers(opts.port)) break;
    if (Date.now() > deadline) {
      await stopChild(child, exited, 2_000);
      throw new Error(`${opts.name} did not listen on port ${opts.port} within ${opts.timeoutMs ?? 30_000} ms:\n${output}`);
    }
    await sleep(100);
  }
  return {
    name: opts.name,
    pid: child.pid!,
    port: opts.port,
    url: `http://127.0.0.1:${opts.port}`,
    stop: (graceMs = 5_000) => stopChild(child, exited, graceMs),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = sleep(graceMs).then(() => 'timeout' as const);
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}
