import autocannon from 'autocannon';
import { percentile } from './percentile';

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: unknown;
  connections: number;
  durationS: number;
  /** Fixed offered load (requests/s over all connections); unset = closed loop, as fast as answered. */
  rate?: number;
}

export interface LoadResult {
  /** Successful (2xx) responses per second over the measured window. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ok: number;
  /** Non-2xx answers plus socket errors and timeouts. */
  failed: number;
  statusCodes: Record<string, number>;
}

/**
 * Loads `url` with autocannon from this process. Latencies are taken from every 2xx
 * response at sub-millisecond precision (autocannon's own histogram rounds to whole ms,
 * too coarse for a p50 of 3 ms) and reduced here.
 */
export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        method: opts.method ?? 'GET',
        connections: opts.connections,
        duration: opts.durationS,
        timeout: 10,
        ...(opts.rate ? { overallRate: Math.max(1, Math.round(opts.rate)) } : {}),
        ...(opts.body === undefined
          ? { headers: opts.headers ?? {} }
          : { headers: { 'content-type': 'application/json', ...opts.headers }, body: JSON.stringify(opts.body) }),
      },
      (err, result) => {
        if (err) return reject(err);
        resolve({
          rps: result['2xx'] / result.duration,
          p50Ms: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
          maxMs: percentile(latencies, 100),
          ok: result['2xx'],
          failed: result.non2xx + result.errors + result.timeouts,
          statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
    });
  });
}
