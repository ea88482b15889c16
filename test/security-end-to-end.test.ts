import { findJob, jobs, listAttempts } from '@flowq/db';
import { waitFor } from '@flowq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../apps/cli/src/cli';
import { startFlowq, TEST_API_KEY, TEST_USEAPI_TOKEN, type FlowqUnderTest } from './support/start-flowq';

/**
 * One flowq with debug logging written to memory: every test below adds traffic, and the
 * last one searches all of it for the secrets that went by.
 */
let flowq: FlowqUnderTest;
const logLines: string[] = [];
/** Every secret the run handled: none may appear in a log line. */
const secrets = new Map<string, string>([
  ['useapi token', TEST_USEAPI_TOKEN],
  ['bootstrap API key', TEST_API_KEY],
  ['Bull Board password', 'board-password'],
]);

beforeAll(async () => {
  flowq = await startFlowq('security-e2e', {
    // Long enough to forge a callback while the generation is still running upstream.
    sim: { generationMs: { min: 2_500, max: 2_500 } },
    env: { LOG_LEVEL: 'debug', POLL_INTERVAL_MS: '300' },
    logStream: { write: (line: string) => void logLines.push(line) },
  });
});
afterAll(async () => flowq?.stop());

async function cli(args: string[], key = TEST_API_KEY) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: { FLOWQ_URL: flowq.api.address, FLOWQ_API_KEY: key },
    cwd: process.cwd(),
    stdout: { write: (c: string | Uint8Array) => ((stdout += typeof c === 'string' ? c : Buffer.from(c).toString()), true) },
    stderr: { write: (c: string) => ((stderr += c), true) },
  });
  return { code, stdout, stderr };
}

describe('a forged callback changes nothing', () => {
  it('a callback with the right secret saying "completed" while the job still runs upstream does not make it succeed', async () => {
    const res = await flowq.request('/v1/jobs', { method: 'POST', json: { prompt: 'a forged ending' } });
    const { id } = (await res.json()) as { id: string };
    const running = await waitFor(
      async () => {
        const row = await findJob(flowq.db.db, id);
        return row?.status === 'running' && row.upstreamJobId ? row : null;
      },
      { timeoutMs: 5_000, what: 'the job to run upstream' },
    );
    secrets.set('callback secret', running.callbackSecret);

    const forged = await fetch(`${flowq.api.address}/v1/webhooks/useapi/${id}/${running.callbackSecret}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jobid: running.upstreamJobId,
        status: 'completed',
        response: { operations: [{ status: 'MEDIA_GENERATION_STATUS_SUCCESSFUL', video: { fifeUrl: 'https://evil.test/x.mp4' } }] },
      }),
    });
    // Accepted as a hint (the secret is right)...
    expect(forged.status).toBe(200);
    const wrongSecret = await fetch(`${flowq.api.address}/v1/webhooks/useapi/${id}/${running.callbackSecret.slice(0, -2)}xx`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jobid: running.upstreamJobId, status: 'completed' }),
    });
    expect(wrongSecret.status).toBe(404);

    // ...which woke the worker: it asked useapi, heard "running", and left the job as it was.
    await waitFor(async () => (await listAttempts(flowq.db.db, id)).some((a) => a.kind === 'callback' && a.outcome === 'completed'), {
      timeoutMs: 2_000,
      what: 'the forged callback to be recorded',
    });
    await new Promise((r) => setTimeout(r, 800));
    const after = await findJob(flowq.db.db, id);
    expect(after!.status).toBe('running');
    expect(after!.result).toBeNull();
    expect(flowq.sim.inspectJob(running.upstreamJobId!)?.status).not.toBe('completed');

    // The real ending still lands, with the simulator's videos, not the forged ones.
    const done = await waitFor(
      async () => {
        const row = await findJob(flowq.db.db, id);
        return row?.status === 'succeeded' ? row : null;
      },
      { timeoutMs: 8_000, what: 'the real ending' },
    );
    expect(JSON.stringify(done.result)).not.toContain('evil.test');
  });
});

describe('flowq keys against a running API', () => {
  it('creates a key shown once, the key works on its own jobs only, and revoke stops it', async () => {
    const created = await cli(['keys', 'create', '--name', 'e2e user']);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^fq_/);
    expect(created.stderr).toMatch(/created key key_\w+ "e2e user": shown this once/);
    secrets.set('created API key', key);
    const id = /key (key_\w+)/.exec(created.stderr)![1]!;

    const listed = await cli(['keys', 'list']);
    expect(listed.stdout).toContain(`${id}  user   e2e user`);
    expect(listed.stdout).not.toContain(key);

    const mine = await flowq.request('/v1/jobs', { method: 'POST', json: { prompt: 'from the new key' }, headers: { authorization: `Bearer ${key}` } });
    expect(mine.status).toBe(202);
    const theirs = (await (await flowq.request('/v1/jobs?limit=1&status=succeeded')).json()) as { items: { id: string }[] };
    expect((await flowq.request(`/v1/jobs/${theirs.items[0]!.id}`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(404);

    const denied = await cli(['keys', 'list'], key);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/may not do this .*admin/);
    expect((await flowq.request('/v1/accounts', { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);

    const revoked = await cli(['keys', 'revoke', id]);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${id} "e2e user"\n` });
    const refused = await cli(['status', 'bat_x'], key);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/API key was refused/);

    expect((await cli(['keys', 'create'])).code).toBe(2);
    expect((await cli(['keys', 'rotate'])).code).toBe(2);
  });
});

describe('no secret in the logs', () => {
  it('a full run at debug level (jobs, callbacks, a refused key, accounts, keys, Bull Board) logs none of its secrets', async () => {
    expect((await flowq.request('/v1/jobs', { headers: { authorization: 'Bearer not-a-real-key-1234567890' } })).status).toBe(401);
    expect((await flowq.request('/v1/accounts')).status).toBe(200);
    const board = await fetch(`${flowq.api.address}/admin/queues`, {
      headers: { authorization: `Basic ${Buffer.from('ops:board-password').toString('base64')}` },
    });
    expect(board.status).toBe(200);
    const rows = await flowq.db.db.select().from(jobs);
    expect(rows.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(1);
    for (const r of rows) secrets.set(`callback secret of ${r.id}`, r.callbackSecret);
    // Real callbacks from the simulator reached the webhook, so their URLs went through the request log.
    await flowq.sim.drainCallbacks();

    const log = logLines.join('');
    expect(logLines.length).toBeGreaterThan(50);
    expect(log).toContain('/v1/webhooks/useapi/');
    expect(log).toContain('"statusCode":401');
    const leaks = [...secrets].filter(([, value]) => log.includes(value)).map(([what]) => what);
    expect(leaks).toEqual([]);
  });
});
