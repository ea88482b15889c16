/**
 * `pnpm bench ingest`: how fast a CSV batch becomes jobs in Postgres and BullMQ, and whether
 * the API's memory stays flat as the file grows (the upload is streamed, never held).
 *
 * For each size (10,000 and 100,000 rows; `--quick`: 1,000 and 10,000) a fresh API process
 * takes the file as a streamed text/csv upload; the clock runs from the request's start until
 * every row is a job row in Postgres and a job in BullMQ. Its peak RSS (VmHWM, reset after a
 * warm-up upload) is read from /proc. The API runs with a capped V8 old space (`--heap-cap MB`,
 * default 128; `--no-heap-cap` to lift it): uncapped, V8 lets the heap grow lazily with the
 * allocation rate and a longer upload shows a higher peak without holding more; capped, a
 * memory that grew with the file would show (or crash) instead of hiding. The baseline, measured in the same run: raw BullMQ
 * `addBulk` of the same number of jobs, in chunks of 2,000, with nothing else to do.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { bullPriority, createGenerateQueue, createRedis } from '@flowq/queue';
import pg from 'pg';
import { hasFlag, numberFlag, progress, type BenchOptions } from './lib/bench';
import { flowqBenchEnv } from './lib/flowq-env';
import { createBenchResources } from './lib/bench-resources';
import { freePort, startServiceProcess, type ServiceProcess } from './lib/service-process';
import { formatMarkdownTable, formatTable, type Cell } from './lib/table';

const API_KEY = 'bench-ingest-key-0123456789';
const CHUNK = 2_000;

async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('ref,prompt,model,count,aspectRatio,campaign\n');
  for (let i = 1; i <= rows; i++) {
    const line = `r${i},"A slow dolly shot of a lighthouse at dawn, waves, scene ${i}",veo-3.1-fast,${(i % 4) + 1},landscape,bench\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
}

async function readKb(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
}

async function upload(url: string, file: string): Promise<{ id: string; accepted: number }> {
  const res = await fetch(`${url}/v1/batches?name=bench`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'text/csv' },
    body: Readable.toWeb(createReadStream(file)) as unknown as ReadableStream<Uint8Array>,
    duplex: 'half',
  } as RequestInit);
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { id: string; accepted: number };
}

interface SizeResult {
  rows: number;
  seconds: number;
  rowsPerSec: number;
  baselineRowsPerSec: number;
  peakRssMb: number;
}

export default async function run({ args }: BenchOptions): Promise<Record<string, unknown>> {
  const sizes = hasFlag(args, 'quick') ? [1_000, 10_000] : [10_000, 100_000];
  const heapCapMb = hasFlag(args, 'no-heap-cap') ? null : numberFlag(args, 'heap-cap', 128);
  const resources = await createBenchResources();
  const work = await mkdtemp(join(tmpdir(), 'flowq-bench-ingest-'));
  const started: ServiceProcess[] = [];
  const pool = new pg.Pool({ connectionString: resources.databaseUrl, max: 2 });
  const redis = createRedis(resources.redisUrl, 'producer');
  const cleanup = async () => {
    for (const s of started.splice(0)) await s.stop().catch(() => undefined);
    await pool.end().catch(() => undefined);
    redis.disconnect();
    await resources.cleanup();
    await rm(work, { recursive: true, force: true });
  };
  const onInterrupt = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onInterrupt);

  const results: SizeResult[] = [];
  try {
    await writeFile(join(work, 'warmup.csv'), `prompt\n${'warm up\n'.repeat(500)}`);
    for (const rows of sizes) {
      const file = join(work, `${rows}.csv`);
      await writeCsv(file, rows);

      // flowq: a fresh API process per size, so its peak memory belongs to this upload alone.
      const prefix = resources.redisPrefix(`api-${rows}`);
      const port = await freePort();
      progress(`${rows} rows: starting the API`);
      const api = await startServiceProcess({
        name: 'flowq api',
        entry: 'apps/api/src/main.ts',
        port,
        env: flowqBenchEnv({
          resources,
          port,
          prefix,
          apiKey: API_KEY,
          extra: {
            BATCH_MAX_ROWS: String(Math.max(...sizes)),
            BATCH_MAX_BYTES: String(1024 * 1024 * 1024),
            ...(heapCapMb ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${heapCapMb}`.trim() } : {}),
          },
        }),
      });
      started.push(api);
      await upload(api.url, join(work, 'warmup.csv'));
      // Resets VmHWM to the current RSS (Linux clear_refs "5"): the peak measured is the upload's.
      await writeFile(`/proc/${api.pid}/clear_refs`, '5').catch(() => undefined);

      const queue = createGenerateQueue(redis, prefix);
      const before = await queue.getJobCountByTypes('prioritized', 'waiting');
      progress(`${rows} rows: uploading`);
      const t0 = performance.now();
      const batch = await upload(api.url, file);
      for (;;) {
        const [{ rows: inPg }] = (await pool.query('select count(*)::int as rows from jobs where batch_id = $1', [batch.id])).rows as [{ rows: number }];
        const inBull = (await queue.getJobCountByTypes('prioritized', 'waiting')) - before;
        if (inPg === rows && inBull === rows) break;
        await sleep(5);
      }
      const seconds = (performance.now() - t0) / 1000;
      const peakRssMb = (await readKb(api.pid, 'VmHWM')) / 1024;
      await api.stop();
      started.splice(started.indexOf(api), 1);
      await queue.close();

      // Baseline: the same number of jobs straight into BullMQ.
      progress(`${rows} rows: baseline addBulk`);
      const bare = createGenerateQueue(redis, resources.redisPrefix(`bare-${rows}`));
      const b0 = performance.now();
      for (let i = 0; i < rows; i += CHUNK) {
        const n = Math.min(CHUNK, rows - i);
        await bare.addBulk(
          Array.from({ length: n }, (_, k) => {
            const jobId = `job_bench_${i + k}`;
            return { name: 'generate' as const, data: { jobId }, opts: { jobId, priority: bullPriority(10, i + k + 1) } };
          }),
        );
      }
      const baselineSeconds = (performance.now() - b0) / 1000;
      await bare.close();
      results.push({ rows, seconds, rowsPerSec: rows / seconds, baselineRowsPerSec: rows / baselineSeconds, peakRssMb });
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    await cleanup();
  }

  const header = ['rows', 'flowq s', 'flowq rows/s', 'addBulk rows/s', 'ratio', 'API peak RSS MB'];
  const table: Cell[][] = results.map((r) => [r.rows, r.seconds, r.rowsPerSec, r.baselineRowsPerSec, r.rowsPerSec / r.baselineRowsPerSec, r.peakRssMb]);
  console.log(`API heap: ${heapCapMb ? `old space capped at ${heapCapMb} MB` : 'uncapped'}`);
  console.log(formatTable(header, table));
  console.log(`\n${formatMarkdownTable(header, table)}`);
  const largest = results[results.length - 1]!;
  return {
    rows: largest.rows,
    rowsPerSec: Math.round(largest.rowsPerSec),
    baselineRowsPerSec: Math.round(largest.baselineRowsPerSec),
    ratio: Math.round((largest.rowsPerSec / largest.baselineRowsPerSec) * 100) / 100,
    apiHeapCapMb: heapCapMb,
    peakRssMb: Object.fromEntries(results.map((r) => [String(r.rows), Math.round(r.peakRssMb)])),
  };
}
