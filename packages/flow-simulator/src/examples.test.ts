/**
 * What a user's own code sees: the seed's curl, Python and (fixed) JavaScript examples of the
 * November 2025 videos page run unchanged against the 2026 simulator (only the host and token
 * are pointed at it), and so does a client written for today's API the way useapi's own batch
 * scripts are (GET /accounts health, POST /assets, media[].videoUrl).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_JPEG } from './media/jpeg';
import type { FlowSimulator } from './server';
import { fastSimulator } from './test-support';

const run = promisify(execFile);
const EXAMPLES = join(import.meta.dirname, '..', 'examples');
const UPSTREAM = 'https://api.useapi.net/v1/google-flow';
const TOKEN = 'example-token';

/** The example's text with only the endpoint and the token pointed at the simulator. */
async function pointed(file: string, sim: FlowSimulator): Promise<string> {
  const text = await readFile(join(EXAMPLES, file), 'utf8');
  return text.replaceAll(UPSTREAM, sim.baseUrl).replaceAll('YOUR_API_TOKEN', TOKEN);
}

const isMp4 = (bytes: Buffer) => bytes.subarray(4, 8).toString('latin1') === 'ftyp';
const isJpeg = (bytes: Buffer) => bytes[0] === 0xff && bytes[1] === 0xd8;

describe.each(['2026', '2025'] as const)('useapi examples against the %s simulator', (apiVersion) => {
  let sim: FlowSimulator;
  let dir: string;
  beforeAll(async () => {
    sim = await fastSimulator({ apiVersion, token: TOKEN });
    dir = await mkdtemp(join(tmpdir(), 'flowq-examples-'));
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the curl + jq example downloads both videos', async () => {
    await writeFile(join(dir, 'curl.sh'), await pointed('seed-curl.sh', sim));
    await run('bash', ['-e', 'curl.sh'], { cwd: dir, timeout: 30_000 });
    for (const n of [1, 2]) expect(isMp4(await readFile(join(dir, `video_${n}.mp4`)))).toBe(true);
  });

  it('the Python example downloads both videos and thumbnails', async () => {
    await writeFile(join(dir, 'example.py'), await pointed('seed-python.py', sim));
    const { stdout } = await run('python3', ['example.py'], { cwd: dir, timeout: 30_000 });
    expect(stdout).toContain('Generated 2 videos');
    expect(stdout).toContain('seed: 123456');
    for (const n of [1, 2]) {
      expect(isMp4(await readFile(join(dir, `generated_video_${n}.mp4`)))).toBe(true);
      expect(isJpeg(await readFile(join(dir, `generated_video_${n}_thumb.jpg`)))).toBe(true);
    }
  });

  it('the JavaScript example (fixed) downloads both videos and thumbnails', async () => {
    await writeFile(join(dir, 'example.mjs'), await pointed('seed-javascript.mjs', sim));
    const { stdout } = await run(process.execPath, ['example.mjs'], { cwd: dir, timeout: 30_000 });
    expect(stdout).toContain('Generated videos: 2');
    for (const n of [1, 2]) expect(isMp4(await readFile(join(dir, `generated_video_${n}.mp4`)))).toBe(true);
  });

  it.runIf(apiVersion === '2026')("a client written for today's API uploads a frame, generates and downloads media[0].videoUrl", async () => {
    await writeFile(join(dir, 'frame.jpg'), SAMPLE_JPEG);
    const env = { ...process.env, USEAPI_BASE_URL: sim.baseUrl, USEAPI_TOKEN: TOKEN, IMAGE: 'frame.jpg' };
    const { stdout } = await run('bash', [join(EXAMPLES, 'today-client.sh')], { cwd: dir, env, timeout: 30_000 });
    expect(stdout).toMatch(/mediaGenerationId: user:\d+-email:[0-9a-f]+-video:/);
    expect(isMp4(await readFile(join(dir, 'clip_1.mp4')))).toBe(true);
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'));
    expect(result.media[0]).toMatchObject({ videoUrl: expect.any(String), mediaGenerationId: expect.any(String) });
  });
});
