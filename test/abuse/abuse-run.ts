import { Worker } from 'node:worker_threads';
import { Agent, request } from 'undici';
import { type AbuseCase, type AbuseContext, abuseCases } from './abuse-cases';
import { ABUSE_API_KEY, type ApiProcess, rssOf, startApiProcess } from './api-process';

/** What one case measured. */
export interface AbuseResult {
  name: string;
  bytes: number;
  expected: number[];
  /** The HTTP status, or what went wrong instead (the connection dropped, the process died). */
  answer: number | string;
  ms: number;
  /** The slowest `/healthz` answer while the request ran (a probe every 50 ms); a probe still waiting counts for as long as it waited. */
  worstHealthzMs: number;
  healthzProbes: number;
  /** Peak resident memory of the API process during the request, above its idle level just before. */
  peakRssOverIdleMb: number;
  idleRssMb: number;
  /** The API process was still up after the case (it answered /healthz). */
  alive: boolean;
  lastProbeError?: string;
}

const PROBE_EVERY_MS = 50;
const MB = 1024 * 1024;

/** Milliseconds until /healthz answered; a probe that failed counts for as long as it took. */
/**
 * The /healthz probe (every 50 ms) and the RSS sampler (every 25 ms) run on a thread of their
 * own, so sending a 50 MB body from this thread cannot delay them and inflate what they measure.
 */
const PROBE_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { address, pid, everyMs } = workerData;
const rss = () => { try { const m = /VmRSS:\\s+(\\d+) kB/.exec(readFileSync('/proc/' + pid + '/status', 'utf8')); return m ? Number(m[1]) * 1024 : null; } catch { return null; } };
let peak = 0;
const sampler = setInterval(() => { const r = rss(); if (r !== null && r > peak) peak = r; }, 25);
const probes = [];
const probe = async () => {
  const started = performance.now();
  try { const res = await fetch(address + '/healthz', { signal: AbortSignal.timeout(10000) }); await res.arrayBuffer(); } catch {}
  return performance.now() - started;
};
const prober = setInterval(() => probes.push(probe()), everyMs);
// Ready once a first probe has answered: the connection is up and the case may start.
probe().then(() => parentPort.postMessage('ready'));
parentPort.on('message', async () => {
  clearInterval(prober);
  await new Promise((r) => setTimeout(r, 200));
  clearInterval(sampler);
  parentPort.postMessage({ latencies: await Promise.all(probes), peak });
});
`;

async function startProbes(address: string, pid: number): Promise<{ stop(): Promise<{ latencies: number[]; peak: number }> }> {
  const worker = new Worker(PROBE_THREAD, { eval: true, workerData: { address, pid, everyMs: PROBE_EVERY_MS } });
  await new Promise((resolve) => worker.once('message', resolve));
  return {
    async stop() {
      const done = new Promise<{ latencies: number[]; peak: number }>((resolve) => worker.once('message', resolve));
      worker.postMessage('stop');
      const result = await done;
      await worker.terminate();
      return result;
    },
  };
}

async function aliveCheck(address: string): Promise<{ ok: boolean; error?: string }> {
  try {
    const res = await request(`${address}/healthz`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
    await res.body.dump();
    return res.statusCode === 200 ? { ok: true } : { ok: false, error: `status ${res.statusCode}` };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

async function idleRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 6; i++) {
    samples.push(rssOf(pid) ?? 0);
    await new Promise((r) => setTimeout(r, 50));
  }
  return samples.sort((a, b) => a - b)[3]!;
}

export async function runCase(api: ApiProcess, c: AbuseCase, ctx: AbuseContext): Promise<AbuseResult> {
  const pid = api.child.pid!;
  const body = c.body?.();
  // Let the previous case's garbage settle before reading the idle level.
  await new Promise((r) => setTimeout(r, 300));
  const idle = await idleRss(pid);
  const probes = await startProbes(api.address, pid);
  const started = performance.now();
  let answer: number | string;
  let text = '';
  // A connection of its own, closed after the case.
  const agent = new Agent({ connections: 1 });
  try {
    const res = await request(`${api.address}${c.path(ctx)}`, {
      dispatcher: agent,
      method: c.method,
      headers: { authorization: `Bearer ${ABUSE_API_KEY}`, ...(c.contentType ? { 'content-type': c.contentType } : {}) },
      ...(body ? { body } : {}),
      headersTimeout: 300_000,
      bodyTimeout: 300_000,
    });
    answer = res.statusCode;
    // Read the whole answer (an export streams), keeping only its start.
    for await (const chunk of res.body) if (text.length < 64 * 1024) text += chunk.toString();
  } catch (err) {
    answer = `${(err as Error).message}`;
  }
  const ms = performance.now() - started;
  await agent.destroy().catch(() => undefined);
  // Memory freed after the answer still counts for the request: the sampler runs a moment longer.
  const { latencies, peak: sampledPeak } = await probes.stop();
  const peak = Math.max(idle, sampledPeak);
  const last = await aliveCheck(api.address);
  const alive = api.exited() === null && last.ok;
  if (typeof answer === 'number' && c.expect.includes(answer)) c.after?.(ctx, { status: answer, body: text });
  return {
    name: c.name,
    bytes: body?.length ?? 0,
    expected: c.expect,
    answer,
    ms: Math.round(ms),
    worstHealthzMs: Math.round(Math.max(0, ...latencies)),
    healthzProbes: latencies.length,
    peakRssOverIdleMb: Math.round((peak - idle) / MB),
    idleRssMb: Math.round(idle / MB),
    alive,
    ...(last.error ? { lastProbeError: last.error } : {}),
  };
}

/** Every case of `scale` against one fresh API process, in order. */
export async function runAbuseSuite(scale: 'short' | 'full'): Promise<{ results: AbuseResult[]; output: string }> {
  const api = await startApiProcess(`abuse-${scale}`);
  const results: AbuseResult[] = [];
  const ctx: AbuseContext = {};
  try {
    // Warm up (first-request compiling of each route) so the cases measure the steady state.
    const auth = { authorization: `Bearer ${ABUSE_API_KEY}`, 'content-type': 'application/json' };
    for (let i = 0; i < 3; i++) {
      for (const [method, path, body] of [
        ['POST', '/v1/batches', '{"items":[{"prompt":"warm"}]}'],
        ['POST', '/v1/jobs', '{"prompt":"warm"}'],
        ['GET', '/v1/batches', undefined],
        ['POST', '/v1/keys', '{"name":"warm"}'],
      ] as const) {
        const res = await request(`${api.address}${path}`, { method, headers: auth, ...(body ? { body } : {}) });
        await res.body.dump();
      }
    }
    for (const c of abuseCases(scale).filter((c) => !process.env.ABUSE_ONLY || c.name.includes(process.env.ABUSE_ONLY))) {
      results.push(await runCase(api, c, ctx));
      if (api.exited()) break;
    }
    return { results, output: api.output() };
  } finally {
    await api.stop();
  }
}

export function formatAbuseTable(results: readonly AbuseResult[]): string {
  const rows = results.map((r) => [
    r.name,
    r.bytes ? `${(r.bytes / MB).toFixed(1)} MB` : '-',
    String(r.answer),
    `${r.ms} ms`,
    `${r.worstHealthzMs} ms`,
    `${r.peakRssOverIdleMb} MB`,
  ]);
  const head = ['case', 'body', 'answer', 'time', 'worst /healthz', 'peak RSS over idle'];
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
