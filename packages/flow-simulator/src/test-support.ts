import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFlowSimulator, type FlowSimulator } from './server';
import type { FlowSimulatorOptions } from './options';

/** Test helpers: a simulator with fast timings, a fetch wrapper, and a callback receiver. */

export const ULTRA = 'ultra-1@flowq.test';
export const PRO = 'pro-1@flowq.test';

export function fastSimulator(options: FlowSimulatorOptions = {}): Promise<FlowSimulator> {
  return startFlowSimulator({
    accounts: [
      { email: ULTRA, tier: 'ultra' },
      { email: PRO, tier: 'pro' },
    ],
    generationMs: { min: 20, max: 60 },
    imageMs: { min: 20, max: 60 },
    startDelayMs: 5,
    seed: 42,
    ...options,
  });
}

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = any>(
  sim: Pick<FlowSimulator, 'baseUrl'>,
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null; raw?: { bytes: Uint8Array; type?: string } } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = {};
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? 'test-token'}`;
  let body: Uint8Array | string | undefined;
  if (options.raw) {
    body = options.raw.bytes;
    if (options.raw.type !== undefined) headers['content-type'] = options.raw.type;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${sim.baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain-text answers stay strings
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export const submit = (sim: FlowSimulator, body: Record<string, unknown>) => call(sim, 'POST', '/videos', { body });
export const submitImage = (sim: FlowSimulator, body: Record<string, unknown>) => call(sim, 'POST', '/images', { body });

export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function waitForStatus(sim: FlowSimulator, jobid: string, status: string): Promise<ApiAnswer> {
  let last: ApiAnswer | undefined;
  await waitFor(async () => {
    last = await call(sim, 'GET', `/jobs/${jobid}`);
    return last.body?.status === status;
  });
  return last!;
}

export interface Receiver {
  url: string;
  received: Array<{ body: any; at: number }>;
  close(): Promise<void>;
}

/** A local HTTP server that records every callback POSTed to it. */
export async function startReceiver(): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), at: Date.now() });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
