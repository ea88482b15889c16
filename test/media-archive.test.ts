import { createHash } from 'node:crypto';
import { mp4OfSize } from '@flowq/flow-simulator';
import { findJob, listCallbackDeliveries, listMediaFiles } from '@flowq/db';
import { waitFor } from '@flowq/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startCallbackReceiver, type CallbackReceiver } from './support/callback-receiver';
import { startFlowq, TEST_API_KEY, type FlowqUnderTest } from './support/start-flowq';

const CLIP_BYTES = 600_000;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let flowq: FlowqUnderTest | undefined;
let receiver: CallbackReceiver | undefined;
afterEach(async () => {
  await flowq?.stop();
  await receiver?.close();
  flowq = undefined;
  receiver = undefined;
});

async function createJob(f: FlowqUnderTest, body: Record<string, unknown>) {
  const res = await f.request('/v1/jobs', { method: 'POST', json: body });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

async function jobWhen(f: FlowqUnderTest, id: string, statuses: string[], timeoutMs = 20_000) {
  return waitFor(
    async () => {
      const job = (await (await f.request(`/v1/jobs/${id}`)).json()) as Record<string, any>;
      return statuses.includes(job.status) ? job : null;
    },
    { timeoutMs, what: `job ${id} to be ${statuses.join(' or ')}` },
  );
}

async function download(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
}

describe('archiving', () => {
  it("keeps every clip: the job succeeds once its files are stored, its url is flowq's and serves the simulator's bytes; one callback, credits once", async () => {
    receiver = await startCallbackReceiver();
    flowq = await startFlowq('archive-ok', { sim: { clipBytes: CLIP_BYTES }, env: { SSRF_ALLOWLIST: '127.0.0.1', CALLBACK_POLL_MS: '100' } });
    const id = await createJob(flowq, { prompt: 'a lighthouse at dawn', count: 2, callbackUrl: receiver.url });
    const job = await jobWhen(flowq, id, ['succeeded', 'failed']);
    expect(job.status).toBe('succeeded');
    const expected = sha256(mp4OfSize(CLIP_BYTES));
    for (const v of job.result.videos) {
      expect(v.archive).toEqual({ status: 'archived' });
      expect(v.url).toBe(`${flowq.api.address}/v1/media/${id}/${job.result.videos.indexOf(v)}.mp4`);
      expect(v.upstreamUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/media\//);
      expect(v.sha256).toBe(expected);
      expect(v.bytes).toBe(CLIP_BYTES);
      // With the API key, and with the signed link alone.
      const withKey = await download(v.url, { authorization: `Bearer ${TEST_API_KEY}` });
      expect(withKey.status).toBe(200);
      expect(sha256(withKey.bytes)).toBe(expected);
      const signed = await download(v.downloadUrl);
      expect(signed.status).toBe(200);
      expect(sha256(signed.bytes)).toBe(expected);
      const thumb = await download(v.thumbnailDownloadUrl);
      expect(thumb.type).toBe('image/jpeg');
      expect([thumb.bytes[0], thumb.bytes[1]]).toEqual([0xff, 0xd8]);
    }
    const files = await listMediaFiles(flowq.db.db, id);
    expect(files.map((f) => `${f.clipIndex}:${f.kind}:${f.status}`)).toEqual([
      '0:thumbnail:archived',
      '0:video:archived',
      '1:thumbnail:archived',
      '1:video:archived',
    ]);
    const row = await findJob(flowq.db.db, id);
    expect(row!.credits).toBeGreaterThan(0);
    // One delivery, written when the job succeeded (after archiving), its body pointing at flowq.
    const deliveries = await listCallbackDeliveries(flowq.db.db, { jobId: id });
    expect(deliveries.map((d) => d.event)).toEqual(['job.succeeded']);
    const received = await waitFor(async () => (receiver!.received.length > 0 ? receiver!.received : null), { timeoutMs: 10_000, what: 'the callback' });
    const body = JSON.parse(received[0]!.raw.toString());
    expect(body.status).toBe('succeeded');
    expect(body.result.videos[0].archive.status).toBe('archived');
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received).toHaveLength(1);
  });

  it('MEDIA_ARCHIVE=false: the job ends with useapi links, their estimated expiry, archive off, and stores nothing', async () => {
    flowq = await startFlowq('archive-off', { env: { MEDIA_ARCHIVE: 'false', UPSTREAM_LINK_TTL_HOURS: '2' } });
    const before = Date.now();
    const id = await createJob(flowq, { prompt: 'rain on a tin roof' });
    const job = await jobWhen(flowq, id, ['succeeded', 'failed']);
    expect(job.status).toBe('succeeded');
    const v = job.result.videos[0];
    expect(v.archive).toEqual({ status: 'off' });
    expect(v.url).toBe(v.upstreamUrl);
    expect(v.downloadUrl).toBeNull();
    const expires = Date.parse(v.upstreamExpiresAt);
    expect(expires).toBeGreaterThan(before + 2 * 3_600_000 - 60_000);
    expect(expires).toBeLessThan(Date.now() + 2 * 3_600_000 + 1_000);
    expect((await download(v.url)).status).toBe(200);
    expect(await listMediaFiles(flowq.db.db, id)).toEqual([]);
    expect((await findJob(flowq.db.db, id))!.credits).toBeGreaterThan(0);
  });

  it('a dead link is refreshed from the upstream job and the clip kept', async () => {
    flowq = await startFlowq('archive-refresh', { sim: { urlSigning: 'read' } });
    await flowq.worker.runtime.archiveWorker.pause();
    const id = await createJob(flowq, { prompt: 'a paper boat' });
    const archiving = await jobWhen(flowq, id, ['archiving']);
    // Meanwhile the result carries useapi's link, saying it is not kept yet.
    expect(archiving.result.videos[0].archive).toEqual({ status: 'pending' });
    expect(archiving.result.videos[0].url).toBe(archiving.result.videos[0].upstreamUrl);
    flowq.sim.faults.expireMediaUrls();
    flowq.worker.runtime.archiveWorker.resume();
    const job = await jobWhen(flowq, id, ['succeeded']);
    expect(job.result.videos[0].archive).toEqual({ status: 'archived' });
    const files = await listMediaFiles(flowq.db.db, id);
    expect(files.every((f) => f.status === 'archived')).toBe(true);
  });

  it("an image job's dead links are refreshed from its upstream image record and the images kept", async () => {
    flowq = await startFlowq('archive-refresh-images', { sim: { urlSigning: 'read' } });
    await flowq.worker.runtime.archiveWorker.pause();
    const id = await createJob(flowq, { kind: 'image', prompt: 'a paper kite', count: 2 });
    const archiving = await jobWhen(flowq, id, ['archiving']);
    expect(archiving.result.images.map((i: { archive: unknown }) => i.archive)).toEqual([{ status: 'pending' }, { status: 'pending' }]);
    flowq.sim.faults.expireMediaUrls();
    flowq.worker.runtime.archiveWorker.resume();
    const job = await jobWhen(flowq, id, ['succeeded']);
    expect(job.result.images.map((i: { archive: unknown }) => i.archive)).toEqual([{ status: 'archived' }, { status: 'archived' }]);
    const files = await listMediaFiles(flowq.db.db, id);
    expect(files.map((f) => `${f.clipIndex}:${f.kind}:${f.status}`)).toEqual(['0:image:archived', '1:image:archived']);
    // The fresh links were read from the image job's record (the first ones were revoked).
    expect(files.map((f) => f.upstreamUrl)).not.toContain(archiving.result.images[0].upstreamUrl);
  });

  it('a dead link with no fresh one: the job still succeeds, the clip saying why it was not kept', async () => {
    flowq = await startFlowq('archive-dead', {});
    await flowq.worker.runtime.archiveWorker.pause();
    const id = await createJob(flowq, { prompt: 'a paper boat', count: 2 });
    await jobWhen(flowq, id, ['archiving']);
    flowq.sim.faults.expireMediaUrls();
    flowq.worker.runtime.archiveWorker.resume();
    const job = await jobWhen(flowq, id, ['succeeded']);
    for (const v of job.result.videos) {
      expect(v.archive.status).toBe('failed');
      expect(v.archive.error).toMatch(/upstream link is dead \(download answered 403\); reading the job again gave no working link/);
      expect(v.url).toBe(v.upstreamUrl);
      expect(v.downloadUrl).toBeNull();
    }
  });

  it('an archiving job whose archive job was lost (a wiped Redis) is queued again by the reconciler', async () => {
    flowq = await startFlowq('archive-reconcile', { sim: { clipBytes: CLIP_BYTES } });
    await flowq.worker.runtime.archiveWorker.pause();
    const id = await createJob(flowq, { prompt: 'a paper boat' });
    await jobWhen(flowq, id, ['archiving']);
    await flowq.worker.deps.archiveQueue.remove(id);
    expect(await flowq.worker.deps.archiveQueue.getJob(id)).toBeUndefined();
    flowq.worker.runtime.archiveWorker.resume();
    const job = await jobWhen(flowq, id, ['succeeded']);
    expect(job.result.videos[0].sha256).toBe(sha256(mp4OfSize(CLIP_BYTES)));
  });

  it('MEDIA_RETENTION_DAYS: maintenance deletes old media; the result says expired and the address answers 410', async () => {
    // About 4 s; maintenance runs every second here.
    flowq = await startFlowq('archive-retention', { env: { MEDIA_RETENTION_DAYS: '0.00005' } });
    const id = await createJob(flowq, { prompt: 'a paper boat' });
    const done = await jobWhen(flowq, id, ['succeeded']);
    const path = new URL(done.result.videos[0].url ?? `http://x/v1/media/${id}/0.mp4`).pathname;
    const job = await waitFor(
      async () => {
        const j = (await (await flowq!.request(`/v1/jobs/${id}`)).json()) as Record<string, any>;
        return j.result.videos[0].archive.status === 'expired' ? j : null;
      },
      { timeoutMs: 20_000, what: 'the media to expire' },
    );
    const v = job.result.videos[0];
    expect(v.url).toBeNull();
    expect(v.downloadUrl).toBeNull();
    expect(v.sha256).toMatch(/^[0-9a-f]{64}$/);
    const res = await flowq.request(path);
    expect(res.status).toBe(410);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('media_expired');
    const files = await listMediaFiles(flowq.db.db, id);
    expect(files.map((f) => f.status)).toEqual(['expired', 'expired']);
    for (const f of files) expect(await flowq.worker.deps.mediaStore.head(f.storageKey)).toBeNull();
  });
});
