import { setTimeout as sleep } from 'node:timers/promises';
import { imageUploads, jobs } from '@flowq/db';
import { waitFor } from '@flowq/testing';
import { inArray, isNull } from 'drizzle-orm';
import { FAULT_API_KEY, startFaultSystem } from './fault-harness';
import { duplicatedSubmissions, requestsByPrompt, type ScenarioReport } from './fault-metrics';
import type { FaultScale } from './fault-scale';

const ACCOUNTS = [{ email: 'up-1@flowq.test', tier: 'ultra' as const }, { email: 'up-2@flowq.test' }];

/** A PNG as far as flowq and the simulator read one (signature and IHDR), padded to `bytes`. */
function png(seed: number, bytes: number): Buffer {
  const b = Buffer.alloc(bytes, seed);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(1280, 16);
  b.writeUInt32BE(720, 20);
  return b;
}

/**
 * Image uploads to useapi (`POST /assets/{email}`) die mid-request, two ways: the connection
 * to useapi is cut while an upload is on the wire (whatever else is in flight dies too), and
 * useapi takes an upload but the answer never comes back (the simulator's connection-reset).
 * Every job must still succeed, with one paid submission, and every account must end up
 * holding each image it used under the one id flowq recorded.
 */
export async function runImageUploadCutScenario(scale: FaultScale): Promise<ScenarioReport> {
  const s = scale.uploads;
  const sys = await startFaultSystem('faults-image-upload', {
    sim: { accounts: ACCOUNTS, generationMs: { min: 50, max: 200 }, startDelayMs: 10 },
    workerCount: 2,
    // Slow answers keep each upload on the wire long enough to be cut.
    useapiResponseDelayMs: 150,
  });
  const started = Date.now();
  try {
    const images: string[] = [];
    for (let i = 0; i < s.images; i++) {
      const res = await fetch(`${sys.api.address}/v1/images`, {
        method: 'POST',
        headers: { authorization: `Bearer ${FAULT_API_KEY}`, 'content-type': 'image/png' },
        body: png(i + 1, s.imageBytes),
      });
      if (res.status !== 201) throw new Error(`POST /v1/images answered ${res.status}: ${await res.text()}`);
      images.push(((await res.json()) as { id: string }).id);
    }
    sys.sim.faults.failNextSubmits({ kind: 'connection-reset', endpoint: 'assets', count: s.resets });
    const ids: string[] = [];
    for (let i = 0; i < s.jobs; i++) {
      const res = await sys.post('/v1/jobs', { prompt: `upload cut ${i}`, startImage: images[i % images.length] });
      if (res.status !== 202) throw new Error(`POST /v1/jobs answered ${res.status}: ${await res.text()}`);
      ids.push(((await res.json()) as { id: string }).id);
    }
    // Cut the line to useapi each time an upload is under way (a claim without an id yet).
    let cuts = 0;
    while (cuts < s.cuts && Date.now() - started < 60_000) {
      const uploading = await waitFor(
        async () => (await sys.db.db.select().from(imageUploads).where(isNull(imageUploads.mediaGenerationId))).length > 0 || null,
        { timeoutMs: 20_000, intervalMs: 5, what: 'an image upload under way' },
      ).catch(() => null);
      if (!uploading) break;
      sys.proxies.useapi.cut();
      cuts++;
      await sleep(100);
      await sys.proxies.useapi.restore();
    }
    await waitFor(
      async () => {
        const rows = await sys.db.db.select({ status: jobs.status }).from(jobs).where(inArray(jobs.id, ids));
        return rows.every((r) => r.status === 'succeeded' || r.status === 'failed') || null;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: `every job to end (workers: ${sys.workers.output().slice(-2000)})` },
    );
    // Late duplicates (a retry whose answer was lost) would land within a poll or two.
    await sleep(1_000);
    const rows = await sys.db.db.select({ id: jobs.id, status: jobs.status, account: jobs.account }).from(jobs).where(inArray(jobs.id, ids));
    const recorded = await sys.db.db.select().from(imageUploads).where(inArray(imageUploads.imageId, images));
    const used = new Set(rows.map((r) => `${images[ids.indexOf(r.id) % images.length]} ${r.account}`));
    const uploadCalls = sys.sim.log.entries({ method: 'POST' }).filter((e) => e.path.includes('/assets'));
    return {
      scenario: `image uploads cut mid-way, ${s.jobs} jobs on ${s.images} images of ${(s.imageBytes / 1e6).toFixed(1)} MB over 2 accounts (${scale.name})`,
      faults: { 'line to useapi cut during an upload': cuts, 'upload taken, answer lost': s.resets - sys.sim.faults.pendingSubmitFaults().length },
      jobs: ids.length,
      lost: ids.length - rows.filter((r) => r.status === 'succeeded').length,
      duplicatedSubmissions: duplicatedSubmissions(requestsByPrompt(sys.sim.log.entries())).total,
      retries: 0,
      maxRequestsPerJob: 0,
      notes: {
        'image x account used': used.size,
        'image x account recorded': recorded.filter((u) => u.mediaGenerationId !== null).length,
        'claims left open': recorded.filter((u) => u.mediaGenerationId === null).length,
        'recorded ids the account does not hold': recorded.filter(
          (u) => u.mediaGenerationId !== null && !sys.sim.assetsOf(u.account).includes(u.mediaGenerationId),
        ).length,
        'upload calls': uploadCalls.length,
        'uploads answered 200': uploadCalls.filter((e) => e.status === 200).length,
        // Each upload whose answer was lost left an asset flowq never used.
        'assets held upstream': ACCOUNTS.reduce((n, a) => n + sys.sim.assetsOf(a.email).length, 0),
        'run ms': Date.now() - started,
      },
    };
  } finally {
    await sys.stop();
  }
}
