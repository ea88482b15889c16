/**
 * `pnpm bench api`: POST /v1/jobs on the real API (own process, own fresh database, no
 * worker) against a bare Fastify route that only queues the BullMQ job on the same Redis
 * (bench/bare-queue-server.ts). Target: flowq's throughput at least half the baseline's,
 * and p99 under 25 ms when offered half the baseline's rate.
 *
 * Flags: --duration=10 (s per measured run), --warmup=2 (s), --connections=50, --rounds=1 (max-rate
 * runs of each side, best kept), --rate=N (also measure flowq paced at N req/s), --markdown,
 * --api-entry=path (start another build of the API, to measure a change before it lands).
 * --cpu-prof=dir (the flowq API writes a V8 CPU profile there when the bench stops it).
 */
import pg from 'pg';
import { hasFlag, numberFlag, progress, stringFlag, type BenchOptions } from './lib/bench';
import { createBenchResources } from './lib/bench-resources';
import { flowqBenchEnv } from './lib/flowq-env';
import { runLoad, type LoadOptions, type LoadResult } from './lib/load';
import { runPacedLoad } from './lib/paced-load';
import { freePort, startServiceProcess, type ServiceProcess } from './lib/service-process';
import { formatMarkdownTable, formatTable, type Cell } from './lib/table';

export const TARGET_RATIO = 0.5;
export const TARGET_P99_MS = 25;
const API_KEY = 'bench-key';
const BODY = { prompt: 'bench', count: 1 };

export default async function run({ args }: BenchOptions): Promise<Record<string, unknown>> {
  const durationS = numberFlag(args, 'duration', 10);
  const warmupS = numberFlag(args, 'warmup', 2);
  const connections = numberFlag(args, 'connections', 50);
  const rounds = numberFlag(args, 'rounds', 1);
  const givenRate = stringFlag(args, 'rate') === undefined ? undefined : numberFlag(args, 'rate', 1);
  const apiEntry = stringFlag(args, 'api-entry') ?? 'apps/api/src/main.ts';
  // Where the flowq API writes a V8 CPU profile when it stops (for "where the time goes").
  const cpuProfDir = stringFlag(args, 'cpu-prof');

  const resources = await createBenchResources();
  const started: ServiceProcess[] = [];
  const onInterrupt = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onInterrupt);
  async function cleanup() {
    for (const s of started.splice(0).reverse()) await s.stop().catch(() => undefined);
    await resources.cleanup();
  }

  try {
    progress(`database ${resources.databaseName}; starting the flowq API, the bare queue server and the bare durable server`);
    const [flowq, bare, durable] = await Promise.all([
      freePort().then((port) =>
        startServiceProcess({
          name: 'flowq api',
          entry: apiEntry,
          port,
          ...(cpuProfDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] } : {}),
          env: flowqBenchEnv({ resources, port, prefix: resources.redisPrefix('api'), apiKey: API_KEY }),
        }),
      ),
      freePort().then((port) =>
        startServiceProcess({
          name: 'bare queue server',
          entry: 'bench/bare-queue-server.ts',
          port,
          env: { PORT: String(port), REDIS_URL: resources.redisUrl, REDIS_PREFIX: resources.redisPrefix('bare') },
        }),
      ),
      freePort().then((port) =>
        startServiceProcess({
          name: 'bare durable server',
          entry: 'bench/bare-durable-server.ts',
          port,
          // Its rows go to the same database (the API migrated it), under their own Redis prefix.
          env: { PORT: String(port), DATABASE_URL: resources.databaseUrl, REDIS_URL: resources.redisUrl, REDIS_PREFIX: resources.redisPrefix('durable') },
        }),
      ),
    ]);
    started.push(flowq, bare, durable);
    await checkAccepts(flowq.url);

    const closedLoop = (url: string): Omit<LoadOptions, 'durationS'> => ({
      url: `${url}/v1/jobs`,
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}` },
      body: BODY,
      connections,
    });
    const maxRate = async (label: string, url: string): Promise<Measured> => {
      progress(`${label}: ${warmupS} s warm-up, ${durationS} s at max rate, ${connections} connections`);
      const warm = await runLoad({ ...closedLoop(url), durationS: warmupS });
      return { warm, run: await runLoad({ ...closedLoop(url), durationS }) };
    };
    const fixedRate = async (rate: number): Promise<Measured> => {
      progress(`flowq: ${warmupS} s warm-up, ${durationS} s at ${Math.round(rate)} req/s (paced)`);
      const paced = (d: number) =>
        runPacedLoad({ url: flowq.url, path: '/v1/jobs', headers: { authorization: `Bearer ${API_KEY}` }, body: BODY, rate, durationS: d, connections });
      const warm = await paced(warmupS);
      return { warm, run: await paced(durationS) };
    };

    // Other work on the machine only ever slows a run down, so each side keeps its best round.
    const baselines: Measured[] = [];
    const durables: Measured[] = [];
    const flowqs: Measured[] = [];
    for (let round = 1; round <= rounds; round++) {
      baselines.push(await maxRate(`round ${round}/${rounds} baseline (bare queue.add)`, bare.url));
      durables.push(await maxRate(`round ${round}/${rounds} baseline (bare insert + queue.add)`, durable.url));
      flowqs.push(await maxRate(`round ${round}/${rounds} flowq`, flowq.url));
    }
    const baseline = best(baselines);
    const durableBaseline = best(durables);
    const flowqMax = best(flowqs);
    const targetRate = baseline.run.rps * TARGET_RATIO;
    const flowqAtTarget = await fixedRate(targetRate);
    const flowqAtGiven = givenRate ? await fixedRate(givenRate) : undefined;

    const flowqRuns = [...flowqs, flowqAtTarget, ...(flowqAtGiven ? [flowqAtGiven] : [])];
    // Requests in flight when a run stops are answered but not counted, so rows may exceed the count.
    const accepted = flowqRuns.reduce((n, m) => n + m.warm.ok + m.run.ok, 0) + 1 + durables.reduce((n, m) => n + m.warm.ok + m.run.ok, 0);
    const rows = await countJobs(resources.databaseUrl);
    const rowsOk = rows >= accepted;

    const ratio = flowqMax.run.rps / baseline.run.rps;
    const p99AtTarget = flowqAtTarget.run.p99Ms;
    const ratioOk = ratio >= TARGET_RATIO;
    const p99Ok = p99AtTarget < TARGET_P99_MS && flowqAtTarget.run.rps >= targetRate * 0.95;
    const pass = ratioOk && p99Ok && rowsOk;

    const header = ['run', 'offered', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors/non-2xx'];
    const row = (name: string, offered: string, r: LoadResult): Cell[] => [name, offered, r.rps, r.p50Ms, r.p99Ms, r.maxMs, r.failed];
    const table: Cell[][] = [
      row('baseline: bare Fastify + queue.add', 'max', baseline.run),
      row('baseline: bare Fastify + insert + queue.add', 'max', durableBaseline.run),
      row('flowq: POST /v1/jobs', 'max', flowqMax.run),
      row('flowq: POST /v1/jobs', `${Math.round(targetRate)}/s paced (0.5x baseline)`, flowqAtTarget.run),
      ...(flowqAtGiven && givenRate ? [row('flowq: POST /v1/jobs', `${Math.round(givenRate)}/s paced (--rate)`, flowqAtGiven.run)] : []),
    ];
    const print = hasFlag(args, 'markdown') ? formatMarkdownTable : formatTable;
    console.log(`\nPOST /v1/jobs, ${connections} connections, ${durationS} s per run after ${warmupS} s warm-up, best of ${rounds} round(s)\n`);
    console.log(print(header, table));
    console.log(
      [
        '',
        `throughput ratio flowq/baseline: ${ratio.toFixed(2)}x (target >= ${TARGET_RATIO}x) ${ratioOk ? 'PASS' : 'FAIL'}`,
        `durable accept (insert + queue.add) / bare queue.add: ${(durableBaseline.run.rps / baseline.run.rps).toFixed(2)}x; flowq / durable accept: ${(flowqMax.run.rps / durableBaseline.run.rps).toFixed(2)}x`,
        `flowq p99 offered ${Math.round(targetRate)} req/s: ${p99AtTarget.toFixed(1)} ms at ${Math.round(flowqAtTarget.run.rps)} req/s served (target < ${TARGET_P99_MS} ms at that rate) ${p99Ok ? 'PASS' : 'FAIL'}`,
        `jobs rows in Postgres: ${rows} for ${accepted} counted 202s ${rowsOk ? 'PASS' : 'FAIL'}`,
        `overall: ${pass ? 'PASS' : 'FAIL'}`,
      ].join('\n'),
    );

    return {
      rps: round(flowqMax.run.rps),
      // The target's p99: flowq offered half the baseline's rate.
      p99Ms: round(p99AtTarget),
      baselineRps: round(baseline.run.rps),
      ratio: round(ratio, 3),
      durableBaselineRps: round(durableBaseline.run.rps),
      durableBaselineP99Ms: round(durableBaseline.run.p99Ms),
      ratioToDurable: round(flowqMax.run.rps / durableBaseline.run.rps, 3),
      p50Ms: round(flowqMax.run.p50Ms),
      p99AtMaxRateMs: round(flowqMax.run.p99Ms),
      baselineP50Ms: round(baseline.run.p50Ms),
      baselineP99Ms: round(baseline.run.p99Ms),
      targetRate: round(targetRate),
      rateAchieved: round(flowqAtTarget.run.rps),
      ...(flowqAtGiven && givenRate ? { givenRate, p99AtGivenRateMs: round(flowqAtGiven.run.p99Ms), givenRateAchieved: round(flowqAtGiven.run.rps) } : {}),
      rounds,
      errors: flowqRuns.reduce((n, m) => n + m.run.failed, 0),
      baselineErrors: baseline.run.failed,
      connections,
      durationS,
      pass,
    };
  } finally {
    process.off('SIGINT', onInterrupt);
    await cleanup();
  }
}

/** One request before the load: a bench that measures 401s or 500s would measure nothing. */
async function checkAccepts(url: string): Promise<void> {
  const res = await fetch(`${url}/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(BODY),
  });
  if (res.status !== 202) throw new Error(`POST /v1/jobs answered ${res.status}, not 202: ${await res.text()}`);
}

async function countJobs(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('select count(*) as n from jobs');
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

interface Measured {
  warm: LoadResult;
  run: LoadResult;
}

const best = (runs: Measured[]) => runs.reduce((a, b) => (b.run.rps > a.run.rps ? b : a));

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
