import { waitFor } from '@flowq/testing';
import { jobs } from '@flowq/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlowq, type FlowqUnderTest } from './support/start-flowq';
import { spawnWorkers, type WorkerProcesses } from './support/worker-processes';

const ACCOUNTS = Array.from({ length: 5 }, (_, i) => ({ email: `multi-${i + 1}@flowq.test`, tier: i === 0 ? ('ultra' as const) : ('pro' as const) }));
const LIMIT = 3;
const JOBS = 300;

let flowq: FlowqUnderTest;
let workers: WorkerProcesses;

beforeAll(async () => {
  flowq = await startFlowq('multi', {
    worker: false,
    sim: { accounts: ACCOUNTS, maxConcurrentPerAccount: LIMIT, generationMs: { min: 80, max: 250 }, startDelayMs: 10 },
    env: { ACCOUNT_MAX_CONCURRENT: String(LIMIT), POLL_INTERVAL_MS: '2000', WORKER_CONCURRENCY: '20' },
  });
  workers = spawnWorkers(3, flowq.env);
});

afterAll(async () => {
  const codes = await workers?.stop();
  await flowq?.stop();
  // Graceful shutdown on SIGTERM: every worker process exits 0.
  expect(codes).toEqual([0, 0, 0]);
});

describe('per-account limits across three worker processes', () => {
  it(`runs ${JOBS} jobs on ${ACCOUNTS.length} accounts without ever exceeding an account's concurrency`, async () => {
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const res = await flowq.request('/v1/jobs', { method: 'POST', json: { prompt: `multi-process job ${i}` } });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const posted = Date.now();
    try {
      await waitFor(
        async () => {
          const [row] = await flowq.db.db.select({ n: sql<number>`count(*)::int` }).from(jobs).where(sql`status = 'succeeded'`);
          return row!.n === JOBS;
        },
        { timeoutMs: 90_000, intervalMs: 250, what: `${JOBS} jobs to succeed` },
      );
    } catch (err) {
      const counts = await flowq.db.db.select({ status: jobs.status, n: sql<number>`count(*)::int` }).from(jobs).groupBy(jobs.status);
      const room = await flowq.redis.redis.keys(`${flowq.config.redis.prefix}:waiting:*`);
      const sizes = await Promise.all(room.map((k) => flowq.redis.redis.zcard(k)));
      throw new Error(
        `${(err as Error).message}\nstatuses ${JSON.stringify(counts)} room ${JSON.stringify(room.map((k, i) => [k, sizes[i]]))}\n${workers.output().slice(-3000)}`,
      );
    }
    console.log(`all ${JOBS} succeeded ${Date.now() - posted} ms after the last POST`);
    const statuses = await flowq.db.db.select({ status: jobs.status, n: sql<number>`count(*)::int` }).from(jobs).groupBy(jobs.status);
    expect(statuses).toEqual([{ status: 'succeeded', n: JOBS }]);

    for (const a of ACCOUNTS) expect(flowq.sim.log.maxObservedConcurrency(a.email)).toBeLessThanOrEqual(LIMIT);
    // Every account was used to its limit at some point: the limit is the binding constraint, not a low ceiling.
    for (const a of ACCOUNTS) expect(flowq.sim.log.maxObservedConcurrency(a.email)).toBe(LIMIT);
    expect(flowq.sim.log.overSubmission429s()).toBe(0);
    // Exactly one paid submission per job.
    const submits = flowq.sim.log.submissions().filter((e) => e.status === 201);
    expect(submits).toHaveLength(JOBS);
    expect(new Set(submits.map((e) => e.replyRef)).size).toBe(JOBS);
    // The three processes shared the work.
    const perAccount = ACCOUNTS.map((a) => submits.filter((e) => e.email === a.email).length);
    for (const n of perAccount) expect(n).toBeGreaterThan(JOBS / ACCOUNTS.length / 2);
  }, 120_000);
});
