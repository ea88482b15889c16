/**
 * `pnpm bench archive`: clips of a realistic size (`--clip-mb`, default 4: an 8-second Veo clip
 * is a few MB) copied from an HTTP server into the media store by the archive step's own copy
 * (`copyFromUrl`: streamed, type sniffed, SHA-256 and size measured, temp file + fsync + rename
 * or a streamed multipart upload), against a plain streamed copy of the same bytes in the same
 * run (the same HTTP client's body piped into a file, or into a bare lib-storage upload; for the filesystem also the
 * same copy with an fsync, since an archive must be durable and the plain copy is not), at the same concurrency
 * (`--concurrency`, default 4 = MEDIA_ARCHIVE_CONCURRENCY).
 *
 * For each driver (filesystem; S3 protocol against a local s3rver in its own process) and each count (100 and
 * 1,000 clips; `--quick`: 50 and 300), best of `--rounds` (default 2) alternated rounds, it
 * reports MB/s of each copy and the ratios (target >= 0.8 against the durable plain copy),
 * and this process's peak RSS during the run (target: flat from the small count to the large,
 * at most +25 %), then each target with its margin and PASS/FAIL. Every stored file's SHA-256
 * is checked against the source.
 * The clips are served by a plain HTTP server from one buffer (the simulator's MP4 grown to
 * size), so the source costs the same for both copies. Files are deleted as the run goes.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { mp4OfSize } from '@flowq/flow-simulator';
import { copyFromUrl, createFsMediaStore, createS3MediaStore, type MediaStore } from '@flowq/media-store';
import { startTestS3Server, type TestS3Server } from '@flowq/testing';
import { hasFlag, numberFlag, progress, stringFlag, type BenchOptions } from './lib/bench';
import { formatMarkdownTable, formatTable, type Cell } from './lib/table';
import { Agent, request } from 'undici';

/** Archiving may cost at most 20 % of a plain streamed copy's throughput. */
const TARGET_RATIO = 0.8;
/** RSS is flat when the large run's peak is at most this much above the small run's (streams, never whole files). */
const TARGET_RSS_GROWTH = 0.25;

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;

interface RunResult {
  mbPerSec: number;
  peakRssMb: number;
}

async function serveClip(clip: Buffer): Promise<{ server: Server; base: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': clip.length });
    res.end(clip);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { server, base: `http://127.0.0.1:${port}` };
}

/** Runs `copy(i)` for i in [0, n) with `concurrency` at once; returns MB/s and the peak RSS sampled every 50 ms. */
async function timed(n: number, concurrency: number, bytesEach: number, copy: (i: number) => Promise<void>): Promise<RunResult> {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < n) await copy(next++);
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  return { mbPerSec: (n * bytesEach) / 1_048_576 / seconds, peakRssMb: peak / 1_048_576 };
}

const emptyRun = (): RunResult => ({ mbPerSec: 0, peakRssMb: 0 });
const better = (a: RunResult, b: RunResult): RunResult => ({ mbPerSec: Math.max(a.mbPerSec, b.mbPerSec), peakRssMb: Math.max(a.peakRssMb, b.peakRssMb) });

// The plain copies download with the archive's own client (undici's request, a Node stream).
// With fetch they were slower themselves, and the garbage of its web streams made the archive
// runs that followed in this process cost twice the CPU (measured: 4 -> 9 s user for 1,000 clips).
const plainDownloads = new Agent();

async function downloadBody(url: string): Promise<Readable> {
  const res = await request(url, { dispatcher: plainDownloads });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`source answered ${res.statusCode}`);
  }
  return res.body;
}

export default async function run({ json, args }: BenchOptions) {
  const quick = hasFlag(args, 'quick');
  const clipBytes = Math.round(numberFlag(args, 'clip-mb', 4) * 1_048_576);
  const concurrency = numberFlag(args, 'concurrency', 4);
  const counts = quick ? [50, 300] : [100, 1_000];
  const rounds = numberFlag(args, 'rounds', 2);
  const clip = mp4OfSize(clipBytes);
  const clipSha256 = createHash('sha256').update(clip).digest('hex');
  const { server, base } = await serveClip(clip);
  const dir = await mkdtemp(join(tmpdir(), 'flowq-bench-archive-'));
  let s3: TestS3Server | undefined;
  const rows: Cell[][] = [];
  const results: Record<string, unknown>[] = [];
  const verdicts: { driver: string; clips: number; ratio: number; archiveRssMb: number }[] = [];
  try {
    // Its own process, as a real S3 server is: its MD5s and file writes are not the copies' cost.
    s3 = await startTestS3Server('bench-archive', { ownProcess: true });
    const s3Options = s3.options;
    const drivers: {
      name: string;
      store: MediaStore;
      plain: (i: number, body: Readable) => Promise<void>;
      plainSynced?: (i: number, body: Readable) => Promise<void>;
    }[] = [
      {
        name: 'filesystem',
        store: await createFsMediaStore({ dir: join(dir, 'store') }),
        plain: async (i, body) => {
          const file = join(dir, `plain-${i}.mp4`);
          await pipeline(body, createWriteStream(file));
          await rm(file);
        },
        // The same copy made durable (fsync before close), as the store's must be.
        plainSynced: async (i, body) => {
          const file = join(dir, `plain-${i}.mp4`);
          await pipeline(body, createWriteStream(file, { flush: true }));
          await rm(file);
        },
      },
      {
        name: 's3 (s3rver)',
        store: createS3MediaStore(s3Options),
        plain: await (async () => {
          const client = new S3Client({
            region: s3Options.region,
            endpoint: s3Options.endpoint,
            forcePathStyle: true,
            credentials: s3Options.credentials,
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          });
          return async (i: number, body: Readable) => {
            await new Upload({ client, params: { Bucket: s3Options.bucket, Key: `plain/${i}.mp4`, Body: body }, partSize: 8 * 1_048_576, queueSize: 2 }).done();
          };
        })(),
      },
    ];
    const only = stringFlag(args, 'only');
    for (const driver of drivers) {
      if (only && !driver.name.startsWith(only)) continue;
      for (const n of counts) {
        const best = { plain: emptyRun(), synced: emptyRun(), archive: emptyRun() };
        // Alternate the copies over `rounds` rounds and keep each one's best: the machine is shared and noisy.
        for (let round = 1; round <= rounds; round++) {
          progress(`${driver.name}: ${n} clips of ${(clipBytes / 1_048_576).toFixed(1)} MB, round ${round}/${rounds}`);
          best.plain = better(best.plain, await timed(n, concurrency, clip.length, async (i) => driver.plain(i, await downloadBody(`${base}/clip/${i}`))));
          const synced = driver.plainSynced;
          if (synced)
            best.synced = better(best.synced, await timed(n, concurrency, clip.length, async (i) => synced(i, await downloadBody(`${base}/clip/${i}`))));
          best.archive = better(
            best.archive,
            await timed(n, concurrency, clip.length, async (i) => {
              const key = `bench/${n}/${i}.mp4`;
              const stored = await copyFromUrl(driver.store, `${base}/clip/${i}`, key, { accept: ['video/mp4'], timeoutMs: 120_000 });
              if (stored.bytes !== clip.length) throw new Error(`stored ${stored.bytes} bytes of ${clip.length}`);
              if (stored.sha256 !== clipSha256) throw new Error(`stored bytes differ from the source (sha256 ${stored.sha256})`);
              if (driver.name === 'filesystem') await driver.store.delete(key);
            }),
          );
          // Outside the timed runs: S3 objects go, so 1,000 clips of a few MB never fill the disk.
          if (driver.name !== 'filesystem') {
            await timed(n, 8, 0, (i) => driver.store.delete(`bench/${n}/${i}.mp4`));
            await timed(n, 8, 0, (i) => driver.store.delete(`plain/${i}.mp4`));
          }
        }
        const baseline = driver.plainSynced ? best.synced : best.plain;
        const ratio = best.archive.mbPerSec / baseline.mbPerSec;
        const rss = Math.max(best.plain.peakRssMb, best.synced.peakRssMb, best.archive.peakRssMb);
        rows.push([
          driver.name,
          n,
          best.plain.mbPerSec,
          driver.plainSynced ? best.synced.mbPerSec : '-',
          best.archive.mbPerSec,
          `${ratio.toFixed(2)}x`,
          `${(best.archive.mbPerSec / best.plain.mbPerSec).toFixed(2)}x`,
          Math.round(best.archive.peakRssMb),
          Math.round(rss),
        ]);
        results.push({ driver: driver.name, clips: n, plain: best.plain, plainFsynced: driver.plainSynced ? best.synced : null, archive: best.archive, ratio });
        verdicts.push({ driver: driver.name, clips: n, ratio, archiveRssMb: best.archive.peakRssMb });
      }
      await driver.store.close();
    }
  } finally {
    await plainDownloads.close();
    server.close();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const header = [
    'driver',
    'clips',
    'plain MB/s',
    'plain+fsync MB/s',
    'archive MB/s',
    'archive/durable plain',
    'archive/plain',
    'archive peak RSS MB',
    'run peak RSS MB',
  ];
  console.log(`clip ${(clip.length / 1_048_576).toFixed(2)} MB, concurrency ${concurrency}`);
  console.log(formatTable(header, rows));
  if (!json) console.log(`\n${formatMarkdownTable(header, rows)}`);
  const lines: string[] = [];
  let ok = true;
  for (const v of verdicts) {
    const pass = v.ratio >= TARGET_RATIO;
    ok &&= pass;
    lines.push(
      `${v.driver}, ${v.clips} clips: archive/durable plain ${v.ratio.toFixed(2)}x (target >= ${TARGET_RATIO}x, margin ${signed((v.ratio / TARGET_RATIO - 1) * 100)} %) ${pass ? 'PASS' : 'FAIL'}`,
    );
  }
  const rssChecks: Record<string, number> = {};
  for (const driver of new Set(verdicts.map((v) => v.driver))) {
    const runs = verdicts.filter((v) => v.driver === driver).sort((a, b) => a.clips - b.clips);
    const small = runs[0]!;
    const large = runs.at(-1)!;
    const growth = large.archiveRssMb / small.archiveRssMb - 1;
    const pass = growth <= TARGET_RSS_GROWTH;
    ok &&= pass;
    rssChecks[driver] = growth;
    lines.push(
      `${driver}: archive peak RSS ${Math.round(small.archiveRssMb)} MB at ${small.clips} clips, ${Math.round(large.archiveRssMb)} MB at ${large.clips} (growth ${signed(growth * 100)} %, target flat: <= +${TARGET_RSS_GROWTH * 100} %, margin ${signed((TARGET_RSS_GROWTH - growth) * 100)} points) ${pass ? 'PASS' : 'FAIL'}`,
    );
  }
  console.log(`\n${lines.join('\n')}\n${ok ? 'PASS' : 'FAIL'}: archive throughput and memory targets`);
  return { clipBytes: clip.length, concurrency, results, rssGrowth: rssChecks, ok };
}
