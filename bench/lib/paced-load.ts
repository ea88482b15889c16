import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { percentile } from './percentile';
import type { LoadResult } from './load';

export interface PacedLoadOptions {
  url: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Requests per second, sent evenly (not in per-second bursts). */
  rate: number;
  durationS: number;
  /** Most requests in flight; more are queued in the client, and their wait counts as latency. */
  connections: number;
}

/**
 * Open-loop load at a fixed rate: request i is due at start + i/rate whether or not earlier
 * ones have answered, and its latency runs from when it was due. autocannon's `overallRate`
 * is not this: each connection fires its whole per-second quota at the top of the second,
 * so "1000 req/s" arrives as one burst of 1000 and its latencies measure the burst.
 */
export async function runPacedLoad(opts: PacedLoadOptions): Promise<LoadResult> {
  const pool = new Pool(opts.url, { connections: opts.connections, pipelining: 1 });
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers = body === undefined ? (opts.headers ?? {}) : { 'content-type': 'application/json', ...opts.headers };
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let failed = 0;
  const inflight = new Set<Promise<void>>();

  const send = (dueAt: number) => {
    const p = pool
      .request({ method: 'POST', path: opts.path, headers, body })
      .then(async (res) => {
        await res.body.dump();
        const ms = performance.now() - dueAt;
        statusCodes[res.statusCode] = (statusCodes[res.statusCode] ?? 0) + 1;
        if (res.statusCode >= 200 && res.statusCode < 300) latencies.push(ms);
        else failed++;
      })
      .catch(() => {
        failed++;
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };

  const start = performance.now();
  const total = Math.round(opts.rate * opts.durationS);
  const interval = 1000 / opts.rate;
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    while (sent < total && start + sent * interval <= now) send(start + sent++ * interval);
    await sleep(1);
  }
  await Promise.all(inflight);
  const elapsedS = (performance.now() - start) / 1000;
  await pool.close();
  return {
    rps: latencies.length / Math.max(opts.durationS, elapsedS),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
    ok: latencies.length,
    failed,
    statusCodes,
  };
}
