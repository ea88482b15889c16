/**
 * Issue 12, image jobs as a user runs them in simulator mode: `kind: "image"` through the API,
 * the worker's synchronous image call in its own lane of account slots, and a call that dies
 * mid-way found upstream instead of made twice.
 */
import { createHash } from 'node:crypto';
import { accounts, listAttempts, listMediaFiles } from '@flowq/db';
import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { waitFor } from '@flowq/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startFlowq, TEST_API_KEY, type FlowqUnderTest } from './support/start-flowq';
import { jobUntilDone } from './support/job-until-done';

const A1 = 'acct-1@flowq.test';
const A2 = 'acct-2@flowq.test';

let flowq: FlowqUnderTest | undefined;
afterEach(async () => {
  await flowq?.stop();
  flowq = undefined;
});

async function createJob(f: FlowqUnderTest, body: Record<string, unknown>) {
  const res = await f.request('/v1/jobs', { method: 'POST', json: body });
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json()) as { id: string; kind: string };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function download(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
}

describe('image jobs, end to end', () => {
  it('kind image makes images through POST /images: result.images archived (sha256 of the bytes served), with seeds, 0 credits, the alias stored as its model', async () => {
    flowq = await startFlowq('kinds-image');
    const created = await createJob(flowq, { kind: 'image', prompt: 'a red kite', model: 'imagen-4', count: 2, seed: 9 });
    expect(created.kind).toBe('image');
    const job = await jobUntilDone(flowq, created.id);
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.request.model).toBe('nano-banana-2-lite');
    expect(job.result.videos).toEqual([]);
    expect(job.result.images.map((i: any) => i.seed)).toEqual([9, 10]);
    expect(job.credits).toBe(0);
    // Each image is archived like a clip: flowq's address (key or signed link), its bytes' SHA-256 those useapi served.
    for (const [n, image] of job.result.images.entries()) {
      expect(image.archive).toEqual({ status: 'archived' });
      expect(image.url).toBe(`${flowq.api.address}/v1/media/${created.id}/image-${n}.jpg`);
      const upstream = await download(image.upstreamUrl);
      expect(upstream.type).toBe('image/jpeg');
      expect(image.sha256).toBe(sha256(upstream.bytes));
      expect(image.bytes).toBe(upstream.bytes.length);
      const withKey = await download(image.url, { authorization: `Bearer ${TEST_API_KEY}` });
      expect([withKey.status, withKey.type, sha256(withKey.bytes)]).toEqual([200, 'image/jpeg', image.sha256]);
      const signed = await download(image.downloadUrl);
      expect([signed.status, sha256(signed.bytes)]).toEqual([200, image.sha256]);
      expect((await download(image.url)).status).toBe(401);
      expect((await download(image.url.replace('.jpg', '.png'), { authorization: `Bearer ${TEST_API_KEY}` })).status).toBe(404);
    }
    const files = await listMediaFiles(flowq.db.db, created.id);
    expect(files.map((f) => `${f.clipIndex}:${f.kind}:${f.status}:${f.contentType}`)).toEqual(['0:image:archived:image/jpeg', '1:image:archived:image/jpeg']);
    expect(flowq.sim.log.entries({ path: '/v1/google-flow/images' })).toHaveLength(1);
    expect(flowq.sim.log.submissions()).toHaveLength(0);
    // A video job without a kind is still a video job.
    const video = await createJob(flowq, { prompt: 'a plain video' });
    expect(video.kind).toBe('video');
    expect((await jobUntilDone(flowq, video.id)).result.videos).toHaveLength(1);
  });

  it('with MEDIA_ARCHIVE=false an image job ends at once with useapi links, archive off', async () => {
    flowq = await startFlowq('kinds-image-no-archive', { env: { MEDIA_ARCHIVE: 'false' } });
    const created = await createJob(flowq, { kind: 'image', prompt: 'kept upstream' });
    const job = await jobUntilDone(flowq, created.id);
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.result.images[0]).toMatchObject({ archive: { status: 'off' }, downloadUrl: null, sha256: null });
    expect(job.result.images[0].url).toBe(job.result.images[0].upstreamUrl);
    expect((await download(job.result.images[0].url)).type).toBe('image/jpeg');
    expect(await listMediaFiles(flowq.db.db, created.id)).toEqual([]);
  });

  it('image calls have their own slots: with one video slot taken, images still run, never above the image limit', async () => {
    flowq = await startFlowq('kinds-lanes', {
      sim: { accounts: [{ email: A1, tier: 'ultra' }], generationMs: { min: 8000, max: 8000 }, imageMs: { min: 800, max: 800 } },
      env: { ACCOUNT_MAX_CONCURRENT: '1', ACCOUNT_MAX_CONCURRENT_IMAGES: '2' },
    });
    const video = await createJob(flowq, { prompt: 'a long video' });
    await waitFor(async () => ((await (await flowq!.request(`/v1/jobs/${video.id}`)).json()) as any).status === 'running', { what: 'the video to run' });
    const images = await Promise.all(Array.from({ length: 6 }, (_, i) => createJob(flowq!, { kind: 'image', prompt: `image ${i}` })));
    const done = await Promise.all(images.map((j) => jobUntilDone(flowq!, j.id)));
    for (const job of done) expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    // Every image finished while the one video slot was still held by the video.
    const videoJob = await jobUntilDone(flowq, video.id);
    expect(videoJob.status).toBe('succeeded');
    for (const job of done) expect(new Date(job.completedAt).getTime()).toBeLessThan(new Date(videoJob.completedAt).getTime());
    expect(flowq.sim.log.maxObservedImageConcurrency(A1)).toBe(2);
    expect(flowq.sim.log.overImage429s(A1)).toBe(0);
    expect(flowq.sim.log.overSubmission429s(A1)).toBe(0);
  });

  it('an image call that dies mid-way is found upstream by its replyRef and adopted: one call, never two', async () => {
    flowq = await startFlowq('kinds-ambiguous');
    flowq.sim.faults.failNextSubmits({ kind: 'connection-reset', endpoint: 'images' });
    const created = await createJob(flowq, { kind: 'image', prompt: 'lost on the wire' });
    const job = await jobUntilDone(flowq, created.id);
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.result.images).toHaveLength(1);
    const calls = flowq.sim.log.entries({ path: '/v1/google-flow/images' });
    expect(calls.map((c) => c.status)).toEqual([0]);
    const attempts = await listAttempts(flowq.db.db, created.id);
    expect(attempts.find((a) => a.kind === 'submit')?.outcome).toBe('adopted_from_listing');
  });

  it('a CSV batch mixing image and video rows runs each row as its kind; a bad image row is reported by row and column', async () => {
    flowq = await startFlowq('kinds-csv');
    const csv = ['kind,prompt,model,count', 'image,a cat,nano-banana-pro,2', ',a dog,,', 'video,a bird,veo-3.1-lite,', 'image,a fish,veo-3.1-fast,'].join('\n');
    const res = await flowq.request('/v1/batches?onInvalid=skip', { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } });
    expect(res.status, await res.clone().text()).toBe(201);
    const batch = (await res.json()) as { id: string; accepted: number; rejected: number; errors: Array<{ row: number; column: string }> };
    expect(batch).toMatchObject({ accepted: 3, rejected: 1 });
    expect(batch.errors).toEqual([expect.objectContaining({ row: 4, column: 'model' })]);
    const list = await waitFor(
      async () => {
        const page = (await (await flowq!.request('/v1/jobs?limit=10')).json()) as { items: Array<Record<string, any>> };
        return page.items.length === 3 && page.items.every((j) => j.status === 'succeeded') ? page.items : null;
      },
      { timeoutMs: 30_000, what: 'the batch jobs to succeed' },
    );
    const byPrompt = Object.fromEntries(list.map((j) => [j.request.prompt, j]));
    expect(byPrompt['a cat']).toMatchObject({ kind: 'image', request: { model: 'nano-banana-pro', count: 2 } });
    expect(byPrompt['a cat']!.result.images).toHaveLength(2);
    expect(byPrompt['a dog']).toMatchObject({ kind: 'video' });
    expect(byPrompt['a bird']!.result.videos).toHaveLength(1);
    // The exports carry each image's archived url and sha256, and each row's kind.
    const csvExport = parse(await (await flowq.request(`/v1/batches/${batch.id}/results?format=csv`)).text(), { columns: true }) as Record<string, string>[];
    expect(csvExport.map((l) => [l.row, l.kind, l.status])).toEqual([
      ['1', 'image', 'succeeded'],
      ['2', 'video', 'succeeded'],
      ['3', 'video', 'succeeded'],
      ['4', '', 'rejected'],
    ]);
    const cat = byPrompt['a cat']!.result.images;
    expect([csvExport[0]!.image_1_url, csvExport[0]!.image_1_sha256, csvExport[0]!.image_2_sha256]).toEqual([cat[0].url, cat[0].sha256, cat[1].sha256]);
    expect(cat[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(csvExport[1]!.video_1_url).toBe(byPrompt['a dog']!.result.videos[0].url);
    const jsonExport = (await (await flowq.request(`/v1/batches/${batch.id}/results?format=json`)).json()) as Array<Record<string, any>>;
    expect(jsonExport[0]).toMatchObject({
      kind: 'image',
      images: [{ url: cat[0].url, sha256: cat[0].sha256, archive: 'archived' }, { sha256: cat[1].sha256 }],
    });
  });

  it('refuses a kind that does not run yet, and image fields broken, naming the field', async () => {
    flowq = await startFlowq('kinds-validation', { worker: false });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ kind: 'gif', source: { jobId: 'job_x' } }, 'kind'],
      [{ kind: 'upscale', source: { jobId: 'job_x' } }, 'source.jobId'],
      [{ kind: 'upscale', source: { mediaGenerationId: 'not-a-flow-id' } }, 'source.mediaGenerationId'],
      [{ kind: 'extend', source: { mediaGenerationId: 'x' }, prompt: 'more', model: 'omni-flash' }, 'model'],
      [{ kind: 'image', prompt: 'x', aspectRatio: 'auto' }, 'aspectRatio'],
      [{ kind: 'image', prompt: 'x', count: 5 }, 'count'],
      [{ kind: 'image', prompt: 'x', model: 'veo-3.1-fast' }, 'model'],
      [{ kind: 'image', prompt: 'x', duration: 8 }, 'duration'],
      [{ kind: 'video', prompt: 'x', reference_1: 'user:1' }, 'reference_1'],
    ];
    for (const [body, field] of cases) {
      const res = await flowq.request('/v1/jobs', { method: 'POST', json: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { field?: string } }).error.field, JSON.stringify(body)).toBe(field);
    }
    // The OpenAPI document describes both kinds a client may send, and the image result.
    const doc = JSON.stringify(await (await flowq.request('/openapi.json')).json());
    for (const name of [
      'CreateVideoJobRequest',
      'CreateImageJobRequest',
      'CreateUpscaleJobRequest',
      'CreateExtendJobRequest',
      'reference_10',
      'nano-banana-2-lite',
      '"Image"',
      // Image results archived (their flowq address), and batch rows of every kind.
      'image-<n>.jpg|png|webp',
      'sourceMediaId',
      'upscale:1080p',
    ])
      expect(doc).toContain(name);
  });
});

describe('upscale and extend, end to end', () => {
  it('upscales a clip of a flowq job to 1080p on the account that made it, then extends it there, each priced at that tier', async () => {
    flowq = await startFlowq('kinds-edits');
    const video = await createJob(flowq, { prompt: 'a source clip', email: A2 });
    const source = await jobUntilDone(flowq, video.id);
    expect(source.status).toBe('succeeded');
    const up = await createJob(flowq, { kind: 'upscale', source: { jobId: video.id, clip: 0 } });
    expect(up.kind).toBe('upscale');
    const upscaled = await jobUntilDone(flowq, up.id);
    expect(upscaled.status, JSON.stringify(upscaled.error)).toBe('succeeded');
    expect(upscaled.account).toBe(A2);
    expect(upscaled.request.source).toEqual({ jobId: video.id, clip: 0, mediaGenerationId: source.result.videos[0].mediaGenerationId });
    expect(upscaled.result.videos[0].mediaGenerationId).toBe(`${source.result.videos[0].mediaGenerationId}_upsampled`);
    expect(upscaled.credits).toBe(0);
    const ext = await createJob(flowq, { kind: 'extend', prompt: 'and it flies on', source: { mediaGenerationId: source.result.videos[0].mediaGenerationId } });
    const extended = await jobUntilDone(flowq, ext.id);
    expect(extended.status, JSON.stringify(extended.error)).toBe('succeeded');
    expect(extended.account).toBe(A2);
    expect(extended.credits).toBe(20);
    expect(flowq.sim.log.entries({ path: '/v1/google-flow/videos/upscale' }).map((e) => e.email)).toEqual([A2]);
    expect(flowq.sim.log.entries({ path: '/v1/google-flow/videos/extend' }).map((e) => e.email)).toEqual([A2]);
  });

  it('refuses a 4K upscale of a clip made on a non-Ultra account before sending it; an account gone from the pool fails the job with its reason', async () => {
    flowq = await startFlowq('kinds-edit-refusals');
    const pro = await jobUntilDone(flowq, (await createJob(flowq, { prompt: 'made on pro', email: A2 })).id);
    const refused = await flowq.request('/v1/jobs', { method: 'POST', json: { kind: 'upscale', source: { jobId: pro.id }, resolution: '4K' } });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { error: { field: string; message: string } };
    expect(body.error.field).toBe('resolution');
    expect(body.error.message).toContain(A2);
    await flowq.worker.runtime.worker.pause();
    const later = await createJob(flowq, { kind: 'upscale', source: { jobId: pro.id } });
    await flowq.db.db.update(accounts).set({ state: 'missing' }).where(eq(accounts.email, A2));
    flowq.worker.runtime.worker.resume();
    const failed = await jobUntilDone(flowq, later.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'source_account_gone', message: expect.stringContaining(A2) });
    expect(flowq.sim.log.entries({ path: '/v1/google-flow/videos/upscale' })).toEqual([]);
  });
});

describe('chains', () => {
  it('a video with then: [upscale 1080p] gets one upscale per clip once it succeeds, on the same account, listed in its answer', async () => {
    flowq = await startFlowq('kinds-chain');
    // biome-ignore lint/suspicious/noThenProperty: the chain field is named `then` by the API (issue 12); an array is never a thenable
    const parent = await createJob(flowq, { prompt: 'a chained clip', count: 2, then: [{ kind: 'upscale', resolution: '1080p' }] });
    const done = await jobUntilDone(flowq, parent.id);
    expect(done.status).toBe('succeeded');
    const withChain = await waitFor(
      async () => {
        const job = (await (await flowq!.request(`/v1/jobs/${parent.id}`)).json()) as Record<string, any>;
        return job.followUps?.length === 2 ? job : null;
      },
      { what: 'the follow-ups to be listed' },
    );
    const followUps = (await Promise.all((withChain.followUps as string[]).map((id) => jobUntilDone(flowq!, id)))).sort(
      (a, b) => a.request.source.clip - b.request.source.clip,
    );
    for (const [i, job] of followUps.entries()) {
      expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
      expect(job.kind).toBe('upscale');
      expect(job.account).toBe(done.account);
      expect(job.request.source).toMatchObject({ jobId: parent.id, clip: i, mediaGenerationId: done.result.videos[i].mediaGenerationId });
      expect(job.result.videos[0].mediaGenerationId).toBe(`${done.result.videos[i].mediaGenerationId}_upsampled`);
    }
    // The upstream submit carried no `then`: it is flowq's own field.
    expect(flowq.sim.log.entries({ path: '/v1/google-flow/videos/upscale' })).toHaveLength(2);
  });

  it('cancelling a job before it succeeds means its chain is never made; an extend after an omni clip is refused at intake', async () => {
    flowq = await startFlowq('kinds-chain-cancel', { startWorker: false });
    // biome-ignore lint/suspicious/noThenProperty: the chain field is named `then` by the API (issue 12); an array is never a thenable
    const parent = await createJob(flowq, { prompt: 'cancel me', then: [{ kind: 'upscale' }] });
    const cancel = await flowq.request(`/v1/jobs/${parent.id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(200);
    flowq.worker.runtime.worker.resume();
    await new Promise((r) => setTimeout(r, 1500));
    const job = (await (await flowq.request(`/v1/jobs/${parent.id}`)).json()) as Record<string, any>;
    expect(job.status).toBe('cancelled');
    expect(job.followUps).toBeUndefined();
    // biome-ignore lint/suspicious/noThenProperty: the chain field is named `then` by the API (issue 12); an array is never a thenable
    const omni = await flowq.request('/v1/jobs', { method: 'POST', json: { prompt: 'x', model: 'omni-flash', then: [{ kind: 'extend', prompt: 'more' }] } });
    expect(omni.status).toBe(400);
    expect(((await omni.json()) as { error: { field: string } }).error.field).toBe('then.0.kind');
  });
});

describe('batches of every kind', () => {
  it('CSV upscale and extend rows name their source by sourceJob/sourceClip or sourceMediaId, a video row chains with then; bad rows name the column', async () => {
    flowq = await startFlowq('kinds-batch-edits');
    const source = await jobUntilDone(flowq, (await createJob(flowq, { prompt: 'a source clip', email: A2 })).id);
    expect(source.status).toBe('succeeded');
    const mediaId = source.result.videos[0].mediaGenerationId as string;
    const csv = [
      'kind,prompt,sourceJob,sourceClip,sourceMediaId,resolution,then',
      `upscale,,${source.id},0,,1080p,`,
      `extend,it flies on,,,${mediaId},,`,
      ',a chained batch clip,,,,,upscale:1080p',
      'upscale,,job_nope,,,,',
      `upscale,,${source.id},,,4K,`,
      ',a bad chain,,,,,upscale:8K',
    ].join('\n');
    const res = await flowq.request('/v1/batches?onInvalid=skip', { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } });
    expect(res.status, await res.clone().text()).toBe(201);
    const batch = (await res.json()) as { id: string; errors: Array<{ row: number; column: string; message: string }> };
    expect(batch).toMatchObject({ accepted: 3, rejected: 3 });
    expect(batch.errors.map((e) => [e.row, e.column])).toEqual([
      [4, 'sourceJob'],
      [5, 'resolution'],
      [6, 'then'],
    ]);
    expect(batch.errors[1]!.message).toContain(A2);
    const rows = await waitFor(
      async () => {
        const page = (await (await flowq!.request(`/v1/batches/${batch.id}/jobs?limit=10`)).json()) as { items: Array<Record<string, any>> };
        return page.items.length === 3 && page.items.every((j) => ['succeeded', 'failed'].includes(j.status)) ? page.items : null;
      },
      { timeoutMs: 30_000, what: 'the batch rows to end' },
    );
    for (const job of rows) expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const byKind = Object.fromEntries(rows.map((j) => [j.kind, j]));
    expect(byKind.upscale).toMatchObject({ account: A2, request: { source: { jobId: source.id, clip: 0, mediaGenerationId: mediaId } } });
    expect(byKind.extend).toMatchObject({ account: A2, request: { prompt: 'it flies on', source: { mediaGenerationId: mediaId } } });
    const parent = await waitFor(
      async () => {
        const job = (await (await flowq!.request(`/v1/jobs/${byKind.video!.id}`)).json()) as Record<string, any>;
        return job.followUps?.length === 1 ? job : null;
      },
      { what: "the chained row's follow-up" },
    );
    const followUp = await jobUntilDone(flowq, parent.followUps[0]);
    expect(followUp).toMatchObject({ status: 'succeeded', kind: 'upscale', account: parent.account, request: { resolution: '1080p' } });
    // The exports list the chain's jobs on the row that asked for them.
    const csvExport = parse(await (await flowq.request(`/v1/batches/${batch.id}/results?format=csv`)).text(), { columns: true }) as Record<string, string>[];
    expect(csvExport.map((l) => [l.kind, l.follow_ups])).toEqual([
      ['upscale', ''],
      ['extend', ''],
      ['video', followUp.id],
      ['', ''],
      ['', ''],
      ['', ''],
    ]);
    const jsonExport = (await (await flowq.request(`/v1/batches/${batch.id}/results?format=json`)).json()) as Array<Record<string, any>>;
    expect(jsonExport[2]!.followUps).toEqual([followUp.id]);
    expect(jsonExport[0]!.videos).toHaveLength(1);

    // A JSON batch takes the request's own shapes, and names the request's own fields.
    const json = await flowq.request('/v1/batches?onInvalid=skip', {
      method: 'POST',
      json: {
        items: [
          { kind: 'upscale', source: { jobId: source.id, clip: 0 }, ref: 'ok' },
          { kind: 'upscale', source: { jobId: 'job_nope' } },
          { kind: 'extend', prompt: 'x', source: { mediaGenerationId: mediaId, clip: 1 } },
          // biome-ignore lint/suspicious/noThenProperty: the chain field is named `then` by the API (issue 12); an array is never a thenable
          { prompt: 'omni', model: 'omni-flash', then: [{ kind: 'extend', prompt: 'more' }] },
        ],
      },
    });
    expect(json.status, await json.clone().text()).toBe(201);
    const jsonBatch = (await json.json()) as { errors: Array<{ row: number; column: string }> };
    expect(jsonBatch).toMatchObject({ accepted: 1, rejected: 3 });
    expect(jsonBatch.errors.map((e) => [e.row, e.column])).toEqual([
      [2, 'source.jobId'],
      [3, 'source.clip'],
      [4, 'then.0.kind'],
    ]);
  });
});
