import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../apps/cli/src/cli';
import { downloadName, imageExtensionOf } from '../apps/cli/src/file-names';
import { progressLine } from '../apps/cli/src/progress-line';
import { startFlowq, TEST_API_KEY, type FlowqUnderTest } from './support/start-flowq';

let flowq: FlowqUnderTest;
let dir: string;
beforeAll(async () => {
  flowq = await startFlowq('cli');
  dir = await mkdtemp(join(tmpdir(), 'flowq-cli-'));
});
afterAll(async () => {
  await flowq?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: { FLOWQ_URL: flowq.api.address, FLOWQ_API_KEY: TEST_API_KEY, ...env },
    cwd: dir,
    stdout: { write: (c: string | Uint8Array) => ((stdout += typeof c === 'string' ? c : Buffer.from(c).toString()), true) },
    stderr: { write: (c: string) => ((stderr += c), true) },
  });
  return { code, stdout, stderr };
}

/** A port nothing listens on: the kernel picks it and we let it go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('flowq CLI against a running API, worker and simulator', () => {
  it('submit --wait shows live progress until the batch ends, then --out downloads every video and thumbnail', async () => {
    await writeFile(
      join(dir, 'prompts.csv'),
      'ref,prompt,count\r\ncat/1,"a cat, on a mat",1\r\ndog,"a dog\nrunning",2\r\nbad,something [[unsafe]] here,1\r\n,no ref here,1\r\n',
    );
    const run = await cli(['submit', 'prompts.csv', '--model', 'veo-3.1-fast', '--wait', '--out', 'videos', '--interval', '100']);
    expect(run.stderr).toMatch(/batch bat_\w+: 4 of 4 rows queued/);
    // One failed row: the exit status says so.
    expect(run.code).toBe(3);
    const id = run.stdout.trim();
    expect(id).toMatch(/^bat_/);
    const progress = run.stderr.split('\n').filter((l) => l.startsWith('['));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const line of progress)
      expect(line).toMatch(
        /^\[[#-]{24}\] +\d+% \d\/4 {2}done \d {2}failed \d {2}running \d {2}(archiving \d {2})?queued \d {2}(-|\d+\.\d)\/s {2}(ETA (-|\d+:\d\d)|done)$/,
      );
    expect(progress.at(-1)).toMatch(/100% 4\/4 {2}done 3 {2}failed 1 {2}running 0 {2}queued 0 .* done$/);
    expect(run.stderr).toMatch(/finished: 3 succeeded, 1 failed, 0 cancelled/);
    expect(run.stderr).toMatch(/downloaded 8 files/);

    const files = (await readdir(join(dir, 'videos'))).sort();
    expect(files).toEqual(['1-cat_1-1.jpg', '1-cat_1-1.mp4', '2-dog-1.jpg', '2-dog-1.mp4', '2-dog-2.jpg', '2-dog-2.mp4', '4-1.jpg', '4-1.mp4']);
    const mp4 = await readFile(join(dir, 'videos', '2-dog-2.mp4'));
    expect(mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');
    const jpg = await readFile(join(dir, 'videos', '4-1.jpg'));
    expect([jpg[0], jpg[1]]).toEqual([0xff, 0xd8]);

    const status = await cli(['status', id]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/status +finished/);
    expect(status.stdout).toMatch(/succeeded 3 +failed 1/);
    // 4 clips of veo-3.1-fast, each priced at the tier of the account that made it: 10 on Ultra, 20 on Pro.
    const spent = Number(/credits +(\d+) spent/.exec(status.stdout)?.[1]);
    expect([40, 50, 60, 70, 80]).toContain(spent);

    const results = await cli(['results', id, '--format', 'csv']);
    const rows = parse(results.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.ref, r.row, r.status])).toEqual([
      ['cat/1', '1', 'succeeded'],
      ['dog', '2', 'succeeded'],
      ['bad', '3', 'failed'],
      ['', '4', 'succeeded'],
    ]);
    expect(rows[1]!.prompt).toBe('a dog\nrunning');
    expect(rows[1]!.video_2_url).toMatch(/^http/);
    expect(rows[2]!.error_code).toBe('content_policy');

    // Resumable: only the missing file is fetched again.
    await rm(join(dir, 'videos', '2-dog-2.mp4'));
    const again = await cli(['download', id, '--out', 'videos']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/downloaded 1, skipped 7 already complete, 0 failed/);
    expect((await readFile(join(dir, 'videos', '2-dog-2.mp4'))).equals(mp4)).toBe(true);
  });

  it('submit passes a kind column through; download writes images as image files, sha256-checked and resumable, beside the videos', async () => {
    await writeFile(join(dir, 'kinds.csv'), 'ref,kind,prompt,count\nkite,image,a red kite,2\nboat,,a boat,1\n');
    const run = await cli(['submit', 'kinds.csv', '--wait', '--out', 'mixed', '--interval', '100']);
    expect(run.stderr).toMatch(/2 of 2 rows queued/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/downloaded 4 files/);
    const id = run.stdout.trim();
    expect((await readdir(join(dir, 'mixed'))).sort()).toEqual(['1-kite-1.jpg', '1-kite-2.jpg', '2-boat-1.jpg', '2-boat-1.mp4']);
    const exported = JSON.parse((await cli(['results', id, '--format', 'json'])).stdout) as Array<{ kind: string; images: { sha256: string }[] }>;
    expect(exported.map((r) => r.kind)).toEqual(['image', 'video']);
    const image = await readFile(join(dir, 'mixed', '1-kite-2.jpg'));
    expect([image[0], image[1]]).toEqual([0xff, 0xd8]);
    expect(createHash('sha256').update(image).digest('hex')).toBe(exported[0]!.images[1]!.sha256);

    // A cut image download resumes from its .part; one whose bytes are wrong is thrown away and reported.
    await rm(join(dir, 'mixed', '1-kite-2.jpg'));
    await writeFile(join(dir, 'mixed', '1-kite-2.jpg.part'), image.subarray(0, 100));
    const resumed = await cli(['download', id, '--out', 'mixed']);
    expect(resumed.stderr).toMatch(/downloaded 1, skipped 3 already complete, 0 failed/);
    expect((await readFile(join(dir, 'mixed', '1-kite-2.jpg'))).equals(image)).toBe(true);
    await rm(join(dir, 'mixed', '1-kite-1.jpg'));
    await writeFile(join(dir, 'mixed', '1-kite-1.jpg.part'), Buffer.alloc(100, 7));
    const corrupt = await cli(['download', id, '--out', 'mixed']);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/1-kite-1\.jpg: checksum mismatch/);
    expect((await cli(['download', id, '--out', 'mixed'])).stderr).toMatch(/downloaded 1, skipped 3 already complete, 0 failed/);
  });

  it('cancel stops the queued jobs of a batch', async () => {
    await flowq.worker.runtime.worker.pause();
    try {
      await writeFile(join(dir, 'later.csv'), 'prompt\none\ntwo\nthree\n');
      const submitted = await cli(['submit', 'later.csv']);
      expect(submitted.code).toBe(0);
      const id = submitted.stdout.trim();
      const cancelled = await cli(['cancel', id]);
      expect(cancelled).toMatchObject({ code: 0, stdout: `cancelled 3 queued jobs of ${id}\n` });
      const status = await cli(['status', id, '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({ status: 'cancelled', counts: { cancelled: 3, queued: 0 } });
    } finally {
      flowq.worker.runtime.worker.resume();
    }
  });

  it('explains a bad file, a bad key and an unreachable server in one line, and has --help for each command', async () => {
    await writeFile(join(dir, 'image.csv'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 0x0a]));
    const binary = await cli(['submit', 'image.csv']);
    expect(binary.code).toBe(1);
    expect(binary.stderr).toBe('flowq submit: 400 validation_failed: file: is not a CSV file (it contains binary data)\n');
    await writeFile(join(dir, 'noprompt.csv'), 'text\nhello\n');
    expect((await cli(['submit', 'noprompt.csv'])).stderr).toMatch(/has no prompt column/);
    await writeFile(join(dir, 'invalid.csv'), 'prompt,count\nok,1\nbad,9\n');
    const invalid = await cli(['submit', 'invalid.csv']);
    expect(invalid.stderr).toMatch(/1 of 2 rows are invalid; nothing was queued\n {2}row 2, count: must be an integer from 1 to 4/);
    expect((await cli(['submit', 'missing.csv'])).stderr).toMatch(/cannot read .*missing\.csv: no such file/);

    const badKey = await cli(['status', 'bat_x'], { FLOWQ_API_KEY: 'wrong-key' });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/the API key was refused .*set FLOWQ_API_KEY or pass --key/);
    const noKey = await cli(['status', 'bat_x'], { FLOWQ_API_KEY: '' });
    expect(noKey).toMatchObject({ code: 2, stderr: expect.stringMatching(/no API key/) });
    const closed = await closedPort();
    const down = await cli(['status', 'bat_x', '--url', `http://127.0.0.1:${closed}`]);
    expect(down.stderr).toBe(`flowq status: cannot reach flowq at http://127.0.0.1:${closed} (ECONNREFUSED); check FLOWQ_URL or --url\n`);
    expect((await cli(['status', 'bat_unknown'])).stderr).toMatch(/not found: Batch bat_unknown not found/);

    for (const command of ['submit', 'status', 'results', 'download', 'cancel', 'retry']) {
      const help = await cli([command, '--help'], { FLOWQ_API_KEY: '' });
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: flowq ${command} `));
    }
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['submit', 'a.csv', '--bogus'])).stderr).toMatch(/Unknown option '--bogus'/);
  });

  it('runs as the flowq bin, configured from the environment', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['apps/cli/bin/flowq.js', '--help'], { cwd: join(import.meta.dirname, '..') });
    expect(stdout).toMatch(/^usage: flowq <command>/);
  });
});

describe('CLI formatting', () => {
  it('names downloads <row>-<ref>-<n> with the ref made file-safe', () => {
    expect(downloadName(12, 'shot 7/a', 2, 'mp4')).toBe('12-shot_7_a-2.mp4');
    expect(downloadName(3, null, 1, 'jpg')).toBe('3-1.jpg');
    expect(downloadName(3, '../../etc', 1, 'mp4')).toBe('3-etc-1.mp4');
    expect(downloadName(3, 'a', 2, 'png')).toBe('3-a-2.png');
  });

  it.each([
    ['https://f.example/v1/media/job_1/image-0.png', 'png'],
    ['https://f.example/v1/media/job_1/image-0.webp?expires=1&sig=x', 'webp'],
    ['https://f.example/v1/media/job_1/image-1.jpg', 'jpg'],
    ['https://upstream.example/fife/abc', 'jpg'],
  ])('an image from %s is saved as .%s', (url, ext) => {
    expect(imageExtensionOf(url)).toBe(ext);
  });

  it('draws the progress line from the counts, rate and time left', () => {
    const line = progressLine({
      id: 'bat_1',
      name: null,
      status: 'active',
      total: 100,
      accepted: 100,
      rejected: 0,
      counts: { queued: 40, submitting: 1, running: 9, succeeded: 45, failed: 5, cancelled: 0 },
      credits: { spent: 0, estimatedRemaining: 0 },
      createdAt: '',
      startedAt: null,
      finishedAt: null,
      throughputPerMinute: 150,
      etaSeconds: 20,
    });
    expect(line).toBe('[############------------]  50% 50/100  done 45  failed 5  running 10  queued 40  2.5/s  ETA 0:20');
  });
});
