import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mp4OfSize } from '@flowq/flow-simulator';
import { callbackDeliveries, jobs, mediaFiles } from '@flowq/db';
import { openMediaStore, type MediaStore } from '@flowq/media-store';
import { startTestS3Server, waitFor } from '@flowq/testing';
import { inArray } from 'drizzle-orm';
import { startCallbackReceiver, type CallbackReceiver } from '../support/callback-receiver';
import { startTcpProxy } from '../support/tcp-proxy';
import { startFaultSystem, type FaultSystem } from './fault-harness';
import { duplicatedSubmissions, requestsByPrompt, type ScenarioReport } from './fault-metrics';
import type { FaultScale } from './fault-scale';

const ACCOUNTS = [{ email: 'ar-1@flowq.test', tier: 'ultra' as const }, { email: 'ar-2@flowq.test' }];
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function postJobs(sys: FaultSystem, n: number, tag: string, callbackUrl: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await sys.post('/v1/jobs', { prompt: `${tag} ${i}`, count: 2, callbackUrl });
    if (res.status !== 202) throw new Error(`POST /v1/jobs answered ${res.status}: ${await res.text()}`);
    ids.push(((await res.json()) as { id: string }).id);
  }
  return ids;
}

/**
 * What a run owes: every job succeeded, every clip archived, each stored file the simulator's
 * very bytes (its row's sha256, and the store's own copy hashed again), one paid submission per
 * job, and one callback event under one delivery id per job.
 */
async function verdict(sys: FaultSystem, store: MediaStore, receiver: CallbackReceiver, ids: string[], clipBytes: number) {
  const expected = sha256(mp4OfSize(clipBytes));
  const rows = await sys.db.db.select({ id: jobs.id, status: jobs.status, credits: jobs.credits }).from(jobs).where(inArray(jobs.id, ids));
  const files = await sys.db.db.select().from(mediaFiles).where(inArray(mediaFiles.jobId, ids));
  const videos = files.filter((f) => f.kind === 'video');
  let storedMismatch = 0;
  for (const f of videos) {
    const read = await store.get(f.storageKey);
    if (!read) {
      storedMismatch++;
      continue;
    }
    const hash = createHash('sha256');
    for await (const chunk of read.body) hash.update(chunk as Buffer);
    if (hash.digest('hex') !== expected) storedMismatch++;
  }
  // Late duplicates (a retry whose answer was lost) would land within a lease; give them the chance to show.
  await waitFor(() => ids.every((id) => receiver.received.some((r) => JSON.parse(r.raw.toString()).id === id)), {
    timeoutMs: 30_000,
    intervalMs: 200,
    what: 'every job.succeeded callback',
  });
  await sleep(1_000);
  const outbox = await sys.db.db.select().from(callbackDeliveries).where(inArray(callbackDeliveries.jobId, ids));
  const deliveryIds = new Map<string, Set<string>>();
  for (const r of receiver.received) {
    const id = JSON.parse(r.raw.toString()).id as string;
    deliveryIds.set(id, (deliveryIds.get(id) ?? new Set()).add(String(r.headers['flowq-delivery-id'])));
  }
  const byPrompt = requestsByPrompt(sys.sim.log.entries());
  return {
    lost: ids.length - rows.filter((r) => r.status === 'succeeded').length,
    duplicatedSubmissions: duplicatedSubmissions(byPrompt).total,
    notes: {
      'jobs succeeded': rows.filter((r) => r.status === 'succeeded').length,
      'jobs without credits': rows.filter((r) => !r.credits).length,
      'videos archived': videos.filter((f) => f.status === 'archived').length,
      'files not archived': files.filter((f) => f.status !== 'archived').length,
      'videos expected': ids.length * 2,
      'sha256 mismatches': videos.filter((f) => f.sha256 !== expected || f.bytes !== clipBytes).length + storedMismatch,
      'file tries beyond the first': files.reduce((n, f) => n + Math.max(0, f.attempts - 1), 0),
      'callback events in outbox': outbox.length,
      'events not job.succeeded': outbox.filter((o) => o.event !== 'job.succeeded').length,
      'jobs with more than one delivery id': [...deliveryIds.values()].filter((s) => s.size > 1).length,
    },
  };
}

/**
 * Workers are SIGKILLed while they write archived files (a `.part` file is on disk in the
 * filesystem store at the moment of the kill), then started again.
 */
export async function runKilledMidArchiveScenario(scale: FaultScale): Promise<ScenarioReport> {
  const s = scale.archive;
  const receiver = await startCallbackReceiver();
  const sys = await startFaultSystem('faults-archive-kill', {
    sim: { accounts: ACCOUNTS, generationMs: { min: 50, max: 200 }, startDelayMs: 10, clipBytes: s.clipBytes },
    env: { SSRF_ALLOWLIST: '127.0.0.1', CALLBACK_POLL_MS: '50', MEDIA_ARCHIVE_CONCURRENCY: '2' },
    workerCount: 2,
  });
  const store = await openMediaStore({ driver: 'fs', dir: sys.mediaDir });
  const started = Date.now();
  let kills = 0;
  let killsMidWrite = 0;
  try {
    const ids = await postJobs(sys, s.jobs, 'archive kill', receiver.url);
    const incoming = join(sys.mediaDir, '.incoming');
    const writing = async () => (await readdir(incoming).catch(() => [] as string[])).filter((f) => f.endsWith('.part'));
    while (kills < s.kills && Date.now() - started < 60_000) {
      // Wait for a file being written, then kill every worker at once: whichever writes it dies mid-file.
      const before = await waitFor(async () => ((await writing()).length > 0 ? await writing() : null), {
        timeoutMs: 30_000,
        intervalMs: 5,
        what: 'an archived file being written',
      }).catch(() => null);
      if (!before) break;
      await Promise.all(sys.workers.children.map((_, i) => sys.workers.kill(i)));
      kills++;
      const left = new Set(await writing());
      if (before.some((f) => left.has(f))) killsMidWrite++;
      for (let i = 0; i < sys.workers.children.length; i++) sys.workers.respawn(i);
      await sleep(s.killEveryMs);
    }
    await waitFor(
      async () => {
        const rows = await sys.db.db.select({ status: jobs.status }).from(jobs).where(inArray(jobs.id, ids));
        return rows.every((r) => r.status === 'succeeded' || r.status === 'failed') || null;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: `every job to end (workers: ${sys.workers.output().slice(-2000)})` },
    );
    const v = await verdict(sys, store, receiver, ids, s.clipBytes);
    return {
      scenario: `worker killed mid-archive, ${s.jobs} jobs of 2 clips of ${(s.clipBytes / 1e6).toFixed(1)} MB (${scale.name})`,
      faults: { 'kill -9 mid-archive': kills },
      jobs: ids.length,
      lost: v.lost,
      duplicatedSubmissions: v.duplicatedSubmissions,
      retries: 0,
      maxRequestsPerJob: 0,
      notes: { ...v.notes, 'kills with a file half written': killsMidWrite, 'run ms': Date.now() - started },
    };
  } finally {
    await store.close();
    await sys.stop();
    await receiver.close();
  }
}

/**
 * The media store (an S3 server, behind a proxy) refuses every connection for `storeDownMs`
 * while jobs are archiving; when it is back every file must be kept: retries, not failures.
 */
export async function runStoreDownScenario(scale: FaultScale): Promise<ScenarioReport> {
  const s = scale.archive;
  const receiver = await startCallbackReceiver();
  const s3 = await startTestS3Server('faults-archive');
  const s3Proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) });
  const endpoint = `http://127.0.0.1:${s3Proxy.port}`;
  const sys = await startFaultSystem('faults-archive-store', {
    sim: { accounts: ACCOUNTS, generationMs: { min: 50, max: 200 }, startDelayMs: 10, clipBytes: s.clipBytes },
    env: { ...s3.env, MEDIA_S3_ENDPOINT: endpoint, SSRF_ALLOWLIST: '127.0.0.1', CALLBACK_POLL_MS: '50', MEDIA_ARCHIVE_TIMEOUT_MS: '20000' },
    workerCount: 2,
  });
  const store = await openMediaStore({ ...s3.options });
  const started = Date.now();
  try {
    await s3Proxy.refuse();
    const downAt = Date.now();
    const ids = await postJobs(sys, s.jobs, 'archive store down', receiver.url);
    // Every job generated and every one of its files tried against the refusing store, so the
    // outage is met by all of them however slow the machine (then the outage lasts its full time).
    await waitFor(
      async () => {
        const rows = await sys.db.db.select({ status: jobs.status }).from(jobs).where(inArray(jobs.id, ids));
        if (!rows.every((r) => r.status === 'archiving')) return null;
        const files = await sys.db.db.select({ kind: mediaFiles.kind, attempts: mediaFiles.attempts }).from(mediaFiles).where(inArray(mediaFiles.jobId, ids));
        const videos = files.filter((f) => f.kind === 'video').length;
        return (videos === ids.length * 2 && files.every((f) => f.attempts >= 1)) || null;
      },
      { timeoutMs: 90_000, intervalMs: 100, what: 'every file of every job tried while the store is down' },
    );
    await sleep(Math.max(0, downAt + s.storeDownMs - Date.now()));
    const outageMs = Date.now() - downAt;
    await s3Proxy.restore();
    await waitFor(
      async () => {
        const rows = await sys.db.db.select({ status: jobs.status }).from(jobs).where(inArray(jobs.id, ids));
        return rows.every((r) => r.status === 'succeeded' || r.status === 'failed') || null;
      },
      // Backoff doubling from 2 s: the try after a 30 s outage comes up to 32 s later.
      { timeoutMs: 90_000, intervalMs: 250, what: `every job to end (workers: ${sys.workers.output().slice(-2000)})` },
    );
    const v = await verdict(sys, store, receiver, ids, s.clipBytes);
    return {
      scenario: `media store down ${Math.round(s.storeDownMs / 1000)} s, ${s.jobs} jobs of 2 clips of ${(s.clipBytes / 1e6).toFixed(1)} MB (${scale.name})`,
      faults: { 'store refused': 1 },
      jobs: ids.length,
      lost: v.lost,
      duplicatedSubmissions: v.duplicatedSubmissions,
      retries: Number(v.notes['file tries beyond the first']),
      maxRequestsPerJob: 0,
      notes: { ...v.notes, 'store down ms': outageMs, 'run ms': Date.now() - started },
    };
  } finally {
    await store.close();
    await sys.stop();
    await s3Proxy.close();
    await s3.stop();
    await receiver.close();
  }
}
