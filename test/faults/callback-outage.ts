import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_CALLBACK_RETRY, verifyCallback } from '@flowq/core';
import { callbackDeliveries, jobs } from '@flowq/db';
import { waitFor } from '@flowq/testing';
import { inArray, sql } from 'drizzle-orm';
import { startCallbackReceiver } from '../support/callback-receiver';
import { startFaultSystem } from './fault-harness';
import type { ScenarioReport } from './fault-metrics';
import type { FaultScale } from './fault-scale';

const OUTAGE_MS = 10 * 60_000;
const SECRET = 'test-webhook-secret-0123456789';

/**
 * Every job asks to be called back, and the receiver is down (connections refused) for
 * 10 minutes of flowq's callback clock, compressed by `timeScale`. Meanwhile the API process
 * that sends callbacks is restarted and Redis is wiped. When the receiver returns, every
 * event must arrive, each under one delivery id, correctly signed.
 */
export async function runCallbackOutageScenario(scale: FaultScale): Promise<ScenarioReport> {
  const s = scale.callbacks;
  const receiver = await startCallbackReceiver();
  const ms = (n: number) => String(Math.max(1, Math.round(n * s.timeScale)));
  const sys = await startFaultSystem('faults-callbacks', {
    sim: { accounts: [{ email: 'cb-1@flowq.test', tier: 'ultra' }, { email: 'cb-2@flowq.test' }], generationMs: { min: 50, max: 200 }, startDelayMs: 10 },
    env: {
      SSRF_ALLOWLIST: '127.0.0.1',
      CALLBACK_POLL_MS: '50',
      CALLBACK_TIMEOUT_MS: '1000',
      CALLBACK_RETRY_BASE_MS: ms(DEFAULT_CALLBACK_RETRY.baseMs),
      CALLBACK_RETRY_MAX_MS: ms(DEFAULT_CALLBACK_RETRY.maxMs),
      CALLBACK_GIVE_UP_HOURS: String(24 * s.timeScale),
    },
    workerCount: 2,
  });
  const started = Date.now();
  try {
    await receiver.down();
    const outageEnds = Date.now() + OUTAGE_MS * s.timeScale;
    const ids: string[] = [];
    for (let i = 0; i < s.jobs; i++) {
      const res = await sys.post('/v1/jobs', { prompt: `callback outage ${i}`, callbackUrl: receiver.url });
      if (res.status !== 202) throw new Error(`POST /v1/jobs answered ${res.status}: ${await res.text()}`);
      ids.push(((await res.json()) as { id: string }).id);
    }
    await waitFor(
      async () => {
        const [row] = (await sys.db.db.execute<{ n: number }>(sql`select count(*)::int as n from jobs where status in ('queued','submitting','running')`)).rows;
        return row!.n === 0;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'every job to end' },
    );
    // Half-way through the outage: the sender restarts and Redis is wiped; the outbox is in Postgres.
    await sleep(Math.max(0, (outageEnds - Date.now()) / 2));
    await sys.restartApi();
    const wiped = await sys.wipeRedis();
    await sleep(Math.max(0, outageEnds - Date.now()));
    const attemptsDuringOutage = (await sys.db.db.execute<{ n: number }>(sql`select count(*)::int as n from callback_attempts`)).rows[0]!.n;
    await receiver.up();
    const upAt = Date.now();
    const received = () => new Set(receiver.received.map((r) => JSON.parse(r.raw.toString()).id as string));
    await waitFor(() => ids.every((id) => received().has(id)), {
      timeoutMs: 30_000 + DEFAULT_CALLBACK_RETRY.maxMs * s.timeScale,
      intervalMs: 200,
      what: 'every callback after the outage',
    });
    const lastArrivalMs = Math.max(...receiver.received.map((r) => r.at)) - upAt;
    // Late duplicates (a retry whose answer was lost) would land within a lease; give them the chance to show.
    await sleep(1_500);
    const rows = await sys.db.db.select().from(callbackDeliveries).where(inArray(callbackDeliveries.jobId, ids));
    const ends = await sys.db.db.select({ id: jobs.id, status: jobs.status }).from(jobs).where(inArray(jobs.id, ids));
    const byJob = new Map<string, Set<string>>();
    let badSignatures = 0;
    for (const r of receiver.received) {
      const id = JSON.parse(r.raw.toString()).id as string;
      byJob.set(id, (byJob.get(id) ?? new Set()).add(String(r.headers['flowq-delivery-id'])));
      if (!verifyCallback(SECRET, String(r.headers['flowq-signature']), r.raw, { toleranceS: 3_600 })) badSignatures++;
    }
    return {
      scenario: `callback receiver down 10 min at x${s.timeScale} (${scale.name})`,
      faults: { 'receiver down': 1, 'api restart': 1, 'redis wipe': wiped > 0 ? 1 : 0 },
      jobs: ids.length,
      lost: ids.filter((id) => !received().has(id)).length,
      duplicatedSubmissions: 0,
      retries: attemptsDuringOutage,
      maxRequestsPerJob: 0,
      notes: {
        'jobs succeeded': ends.filter((e) => e.status === 'succeeded').length,
        'events in outbox': rows.length,
        'events delivered': rows.filter((r) => r.status === 'delivered').length,
        'jobs with more than one delivery id': [...byJob.values()].filter((set) => set.size > 1).length,
        'posts received': receiver.received.length,
        'attempts during outage': attemptsDuringOutage,
        'bad signatures': badSignatures,
        'last arrival after receiver up ms': lastArrivalMs,
        'run ms': Date.now() - started,
      },
    };
  } finally {
    await sys.stop();
    await receiver.close();
  }
}
