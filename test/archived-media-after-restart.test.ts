import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mp4OfSize } from '@flowq/flow-simulator';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis, waitFor, freePort } from '@flowq/testing';
import { afterAll, describe, expect, it } from 'vitest';

const START = fileURLToPath(new URL('../scripts/start.ts', import.meta.url));
const DEV_KEY = 'flowq-dev-key';
const CLIP_BYTES = 3_000_000;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let db: TestDatabase | undefined;
let redis: TestRedis | undefined;
let mediaDir: string | undefined;
let child: ChildProcess | undefined;
let output = '';

/** `pnpm start` as a new user runs it: simulator mode (no USEAPI_TOKEN), the development key, the default store. */
function start(env: Record<string, string>): ChildProcess {
  const base = { ...process.env };
  delete base.USEAPI_TOKEN;
  delete base.FLOWQ_API_KEYS;
  const c = spawn(process.execPath, ['--import', 'tsx', START], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  c.stdout!.on('data', (d) => (output += d));
  c.stderr!.on('data', (d) => (output += d));
  return c;
}

async function stop(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  await gone;
}

afterAll(async () => {
  if (child) await stop(child);
  await redis?.cleanup();
  await db?.drop();
  if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
});

describe('a new user with pnpm start (simulator mode)', () => {
  it("gets a job whose url is flowq's and downloads the same bytes after the whole stack, simulator included, restarts", { timeout: 180_000 }, async () => {
    db = await createTestDatabase('archive-restart');
    redis = await createTestRedis('archive-restart');
    mediaDir = await mkdtemp(join(tmpdir(), 'flowq-media-restart-'));
    const port = await freePort();
    const api = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port),
      SIM_PORT: String(await freePort()),
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      MEDIA_DIR: mediaDir,
      SIM_CLIP_BYTES: String(CLIP_BYTES),
      LOG_LEVEL: 'warn',
    };
    const auth = { authorization: `Bearer ${DEV_KEY}` };
    const ready = () =>
      waitFor(async () => ((await fetch(`${api}/readyz`).catch(() => null))?.ok ? true : null), { timeoutMs: 60_000, what: `flowq to start (${output})` });

    child = start(env);
    await ready();
    const created = await fetch(`${api}/v1/jobs`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'A serene mountain landscape at sunset', count: 2 }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const job = await waitFor(
      async () => {
        const j = (await (await fetch(`${api}/v1/jobs/${id}`, { headers: auth })).json()) as Record<string, any>;
        return j.status === 'succeeded' || j.status === 'failed' ? j : null;
      },
      { timeoutMs: 60_000, what: `job ${id} to end (${output})` },
    );
    expect(job.status).toBe('succeeded');
    const expected = sha256(mp4OfSize(CLIP_BYTES));
    const videos = job.result.videos as { url: string; downloadUrl: string; sha256: string; bytes: number; archive: { status: string } }[];
    expect(videos).toHaveLength(2);
    for (const [clip, v] of videos.entries()) {
      expect(v.archive.status).toBe('archived');
      expect(v.url).toBe(`${api}/v1/media/${id}/${clip}.mp4`);
      expect(v.sha256).toBe(expected);
      expect(v.bytes).toBe(CLIP_BYTES);
      expect(sha256(Buffer.from(await (await fetch(v.url, { headers: auth })).arrayBuffer()))).toBe(expected);
    }

    // Everything stops (the simulator, which forgets its jobs and links, with it) and starts again.
    await stop(child);
    child = start(env);
    await ready();
    for (const v of videos) {
      const withKey = await fetch(v.url, { headers: auth });
      expect(withKey.status).toBe(200);
      expect(sha256(Buffer.from(await withKey.arrayBuffer()))).toBe(expected);
      // The signed link handed out before the restart still opens without a key.
      const signed = await fetch(v.downloadUrl);
      expect(signed.status).toBe(200);
      expect(sha256(Buffer.from(await signed.arrayBuffer()))).toBe(expected);
    }
    const again = (await (await fetch(`${api}/v1/jobs/${id}`, { headers: auth })).json()) as Record<string, any>;
    expect(again.result.videos.map((v: { sha256: string }) => v.sha256)).toEqual([expected, expected]);
  });
});
