import { createHash } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFlowSimulator } from '@flowq/flow-simulator';
import { createTestDatabase, createTestRedis, waitFor, freePort } from '@flowq/testing';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KEY = 'prod-build-key-0123456789';
const SIM_TOKEN = 'sim-token-prod-build-0123456789';

function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-3000)}`))));
  });
}

const children: ChildProcess[] = [];
const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : null)));
  for (const f of cleanups.reverse()) await f();
});

describe('the production build', () => {
  it('compiles, deploys with production dependencies only, and runs a job end to end on node alone', { timeout: 600_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'flowq-deploy-'));
    cleanups.push(() => rmSync(out, { recursive: true, force: true }));
    await run('pnpm', ['build']);
    const deploy = (app: string) =>
      run('pnpm', ['--filter', `@flowq/${app}`, 'deploy', '--legacy', '--prod', '--prefer-offline', '--config.node-linker=hoisted', join(out, app)]);
    await Promise.all([deploy('api'), deploy('worker')]);

    for (const app of ['api', 'worker']) {
      const dir = join(out, app);
      expect(existsSync(join(dir, 'dist/main.js'))).toBe(true);
      expect(existsSync(join(dir, 'dist/drizzle/meta/_journal.json'))).toBe(true);
      // No TypeScript sources, no dev tooling.
      expect(existsSync(join(dir, 'src'))).toBe(false);
      for (const dev of ['vitest', 'tsx', '@biomejs/biome', 'drizzle-kit', 'playwright-core', 'esbuild', 'turbo']) {
        expect(existsSync(join(dir, 'node_modules', dev)), `${app} has ${dev}`).toBe(false);
      }
    }
    expect(readFileSync(join(out, 'api/dist/console/index.html'), 'utf8')).toContain('flowq console');

    const sim = await startFlowSimulator({
      port: 0,
      token: SIM_TOKEN,
      accounts: [{ email: 'prod-1@flowq.test', tier: 'ultra' }],
      generationMs: { min: 100, max: 200 },
      seed: 3,
    });
    cleanups.push(() => sim.close());
    const db = await createTestDatabase('prod-build');
    cleanups.push(() => db.drop());
    const redis = await createTestRedis('prod-build');
    cleanups.push(() => redis.cleanup());
    const port = await freePort();
    const metricsPort = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      FLOWQ_API_KEYS: KEY,
      BULL_BOARD_PASSWORD: 'board-password',
      FLOWQ_SECRET_KEY: 'production-build-test-secret-key-0123456789',
      USEAPI_TOKEN: SIM_TOKEN,
      USEAPI_BASE_URL: sim.baseUrl,
      FLOWQ_ACCOUNTS: 'prod-1@flowq.test:ultra',
      POLL_INTERVAL_MS: '500',
      LOG_LEVEL: 'warn',
      // The API and the worker run from different folders: the media store must be the same one.
      MEDIA_DIR: join(out, 'media'),
    };
    const logs: string[] = [];
    for (const [app, extra] of [
      ['api', {}],
      ['worker', { METRICS_PORT: String(metricsPort) }],
    ] as const) {
      // `node` on the compiled file, from the deployed folder, with nothing of the workspace around it.
      const child = spawn(process.execPath, ['dist/main.js'], { cwd: join(out, app), env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (c) => logs.push(`${app}: ${c}`));
      child.stderr!.on('data', (c) => logs.push(`${app}: ${c}`));
      children.push(child);
    }
    const api = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${KEY}` };
    await waitFor(async () => ((await fetch(`${api}/readyz`).catch(() => null))?.ok ? true : null), {
      timeoutMs: 60_000,
      what: `the compiled API to be ready (logs: ${logs.join('')})`,
    });
    const created = await fetch(`${api}/v1/jobs`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'a compiled lighthouse' }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const job = await waitFor(
      async () => {
        const j = (await (await fetch(`${api}/v1/jobs/${id}`, { headers: auth })).json()) as {
          status: string;
          result: { videos: { url: string; sha256: string; archive: { status: string } }[] } | null;
        };
        return j.status === 'succeeded' || j.status === 'failed' ? j : null;
      },
      { timeoutMs: 60_000, what: `job ${id} to end (logs: ${logs.join('')})` },
    );
    expect(job.status).toBe('succeeded');
    expect(job.result!.videos).toHaveLength(1);
    // Archived by the compiled worker, served by the compiled API.
    const video = job.result!.videos[0]!;
    expect(video.archive.status).toBe('archived');
    expect(video.url.startsWith(`${api}/v1/media/`)).toBe(true);
    const bytes = Buffer.from(await (await fetch(video.url, { headers: auth })).arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(video.sha256);

    // The pages that read files at run time are served from the build too.
    expect((await fetch(`${api}/console`)).status).toBe(200);
    expect((await fetch(`${api}/docs/`)).status).toBe(200);
    expect((await fetch(`${api}/admin/queues`, { headers: { authorization: `Basic ${Buffer.from('admin:board-password').toString('base64')}` } })).status).toBe(
      200,
    );
    const workerMetrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(workerMetrics).toMatch(/flowq_job_duration_seconds_count\{status="succeeded"\} 1/);
  });
});
