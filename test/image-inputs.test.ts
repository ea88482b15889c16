import { createHash } from 'node:crypto';
import { rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { claimImageUpload, dropImageUploadClaim, findJob, images, listImageUploads, recordImage, recordImageUpload } from '@flowq/db';
import { createTestDatabase, waitFor } from '@flowq/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startFlowq, TEST_API_KEY, type FlowqUnderTest } from './support/start-flowq';
import { jobUntilDone } from './support/job-until-done';
import { testPng } from '@flowq/testing';

const OTHER_KEY = 'other-api-key-9876543210';
const ACCOUNTS = ['acct-1@flowq.test', 'acct-2@flowq.test'];

/** A PNG header (all the simulator and flowq read) of the given size, padded to `bytes`. */
let flowq: FlowqUnderTest | undefined;
let server: Server | undefined;
afterEach(async () => {
  await flowq?.stop();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  flowq = undefined;
  server = undefined;
});

function start(label: string, env: Record<string, string> = {}) {
  return startFlowq(label, { env: { FLOWQ_API_KEYS: `${TEST_API_KEY},${OTHER_KEY}`, ...env } });
}

async function upload(f: FlowqUnderTest, bytes: Buffer, opts: { multipart?: boolean; type?: string; key?: string } = {}) {
  const headers: Record<string, string> = opts.key ? { authorization: `Bearer ${opts.key}` } : {};
  let body: FormData | Buffer;
  if (opts.multipart) {
    const form = new FormData();
    form.set('file', new Blob([bytes], { type: opts.type ?? 'image/png' }), 'frame.png');
    body = form;
  } else {
    headers['content-type'] = opts.type ?? 'image/png';
    body = bytes;
  }
  const res = await f.request('/v1/images', { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function postJob(f: FlowqUnderTest, body: Record<string, unknown>, key?: string) {
  const res = await f.request('/v1/jobs', { method: 'POST', json: body, ...(key ? { headers: { authorization: `Bearer ${key}` } } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('POST /v1/images', () => {
  it('keeps a PNG sent as multipart or raw once per key, reads it back, and hides it from another key', async () => {
    flowq = await start('images-upload');
    const bytes = testPng(1280, 720, 5_000);
    const first = await upload(flowq, bytes, { multipart: true });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      id: expect.stringMatching(/^img_[0-9a-z]{22}$/),
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: 5_000,
      width: 1280,
      height: 720,
      contentType: 'image/png',
    });
    // The same bytes again, raw this time and with a lying header: the same image.
    const again = await upload(flowq, bytes, { type: 'image/jpeg' });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const read = await flowq.request(`/v1/images/${first.body.id}`);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { width: number }).width).toBe(1280);
    const foreign = await flowq.request(`/v1/images/${first.body.id}`, { headers: { authorization: `Bearer ${OTHER_KEY}` } });
    expect(foreign.status).toBe(404);
    // Another key uploading the same bytes gets its own image.
    const other = await upload(flowq, bytes, { key: OTHER_KEY });
    expect(other.body.id).not.toBe(first.body.id);
  });

  it('is described in the OpenAPI document', async () => {
    flowq = await start('images-openapi');
    const doc = (await (await flowq.request('/openapi.json')).json()) as Record<string, any>;
    expect(Object.keys(doc.paths['/v1/images'])).toContain('post');
    expect(Object.keys(doc.paths['/v1/images/{id}'])).toContain('get');
    expect(Object.keys(doc.components.schemas.UploadedImage.properties)).toEqual(['id', 'sha256', 'bytes', 'width', 'height', 'contentType', 'createdAt']);
    expect(doc.components.schemas.CreateVideoJobRequest.properties.startImage.description).toMatch(/img_/);
  });

  it('refuses bytes that are not an image whatever the header (400 naming file), and more than 20 MB (413)', async () => {
    flowq = await start('images-refused');
    const spoofed = await upload(flowq, Buffer.from('GIF89a this is not what it says it is'), { type: 'image/png' });
    expect(spoofed.status).toBe(400);
    expect(spoofed.body.error.field).toBe('file');
    const spoofedForm = await upload(flowq, Buffer.from('<html>hello</html>'), { multipart: true });
    expect(spoofedForm.status).toBe(400);
    expect(spoofedForm.body.error.field).toBe('file');
    const huge = await upload(flowq, testPng(100, 100, 20 * 1024 * 1024 + 1));
    expect(huge.status).toBe(413);
    expect(huge.body.error.field).toBe('file');
    const hugeForm = await upload(flowq, testPng(100, 100, 20 * 1024 * 1024 + 1), { multipart: true });
    expect(hugeForm.status).toBe(413);
  });
});

describe('image inputs of jobs', () => {
  it('an I2V job from an uploaded PNG succeeds, unpinned, with the image uploaded once to the account that ran it', async () => {
    flowq = await start('images-i2v');
    const image = (await upload(flowq, testPng(1280, 720, 64))).body.id as string;
    const job = await postJob(flowq, { prompt: 'the frame comes alive', startImage: image });
    expect(job.status).toBe(202);
    expect(job.body.request.startImage).toBe(image);
    const done = await jobUntilDone(flowq, job.body.id);
    expect(done.status).toBe('succeeded');
    const row = await findJob(flowq.db.db, job.body.id);
    expect(row!.account).toBeTruthy();
    expect(flowq.sim.assetsOf(row!.account!)).toHaveLength(1);
    // The submission carried the account's own mediaGenerationId, not flowq's id.
    const uploads = await listImageUploads(flowq.db.db, image);
    expect(uploads).toEqual([{ account: row!.account, mediaGenerationId: flowq.sim.assetsOf(row!.account!)[0] }]);
  });

  it('jobs spread over both accounts upload each image exactly once per account', async () => {
    flowq = await start('images-spread');
    const first = (await upload(flowq, testPng(1280, 720, 64))).body.id as string;
    const last = (await upload(flowq, testPng(1280, 720, 100))).body.id as string;
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await postJob(flowq, { prompt: `scene ${i}`, startImage: first, endImage: last })).body.id);
    const jobs = await Promise.all(ids.map((id) => jobUntilDone(flowq!, id, 60_000)));
    expect(jobs.map((j) => j.status)).toEqual(ids.map(() => 'succeeded'));
    const used = new Set<string>();
    for (const id of ids) used.add((await findJob(flowq.db.db, id))!.account!);
    expect([...used].sort()).toEqual(ACCOUNTS);
    for (const account of ACCOUNTS) expect(flowq.sim.assetsOf(account)).toHaveLength(2);
    expect(await listImageUploads(flowq.db.db, first)).toHaveLength(2);
    expect(await listImageUploads(flowq.db.db, last)).toHaveLength(2);
  });

  it('an image job takes an uploaded image as reference_1, unpinned, uploaded to the account it runs on', async () => {
    flowq = await start('images-image-kind');
    const image = (await upload(flowq, testPng(1024, 1024, 64))).body.id as string;
    const job = await postJob(flowq, { kind: 'image', prompt: 'the same cat, in winter', reference_1: image });
    expect(job.status).toBe(202);
    const done = await jobUntilDone(flowq, job.body.id);
    expect(done.status).toBe('succeeded');
    const row = await findJob(flowq.db.db, job.body.id);
    // The account's assets also hold the images it made; the upload is the first.
    expect(flowq.sim.log.entries({ method: 'POST' }).filter((e) => e.path.includes('/assets'))).toHaveLength(1);
    expect(await listImageUploads(flowq.db.db, image)).toEqual([{ account: row!.account, mediaGenerationId: flowq.sim.assetsOf(row!.account!)[0] }]);
  });

  it('an image URL on an allow-listed local server is fetched once and runs like an upload', async () => {
    const bytes = testPng(640, 360, 2_000);
    let served = 0;
    server = createServer((req, res) => {
      served += 1;
      if (req.url === '/moved') return res.writeHead(302, { location: '/frame.png' }).end();
      res.writeHead(200, { 'content-type': 'image/png' }).end(bytes);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/moved`;
    flowq = await start('images-url', { SSRF_ALLOWLIST: '127.0.0.1' });
    const job = await postJob(flowq, { prompt: 'from a link', startImage: url });
    expect(job.status).toBe(202);
    expect(job.body.request.startImage).toMatch(/^img_/);
    expect(served).toBe(2); // the redirect and the image, once
    const done = await jobUntilDone(flowq, job.body.id);
    expect(done.status).toBe('succeeded');
    // The same bytes are the same image as an upload of them.
    expect((await upload(flowq, bytes)).body.id).toBe(job.body.request.startImage);
  });

  it("refuses a private-address URL without the allow-list (400) and another key's image (404), naming the field", async () => {
    flowq = await start('images-bad-input');
    const priv = await postJob(flowq, { prompt: 'x', startImage: 'http://127.0.0.1:9/a.png' });
    expect(priv.status).toBe(400);
    expect(priv.body.error.field).toBe('startImage');
    const privHttps = await postJob(flowq, { prompt: 'x', referenceImage_1: 'https://10.0.0.8/a.png' });
    expect(privHttps.status).toBe(400);
    expect(privHttps.body.error.field).toBe('referenceImage_1');
    const mine = (await upload(flowq, testPng(10, 10, 64), { key: OTHER_KEY })).body.id as string;
    const foreign = await postJob(flowq, { prompt: 'x', startImage: mine });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.field).toBe('startImage');
    const unknown = await postJob(flowq, { prompt: 'x', endImage: 'img_00000000000000000000zz', startImage: mine }, OTHER_KEY);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.field).toBe('endImage');
  });
});

describe('image URLs that cannot be used', () => {
  it('a redirect inside the network (400), no answer in time, an error status (422) and bytes that are not an image (400): each names the field, nothing is kept', async () => {
    server = createServer((req, res) => {
      if (req.url === '/inside') return res.writeHead(302, { location: 'http://10.1.2.3/a.png' }).end();
      if (req.url === '/missing') return res.writeHead(404).end('no');
      if (req.url === '/html') return res.writeHead(200, { 'content-type': 'image/png' }).end('<html>not a picture</html>');
      // /silent: never answers
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    flowq = await start('images-bad-urls', { SSRF_ALLOWLIST: '127.0.0.1', IMAGE_FETCH_TIMEOUT_MS: '500' });
    const cases: [string, string, number, RegExp][] = [
      ['startImage', `${base}/inside`, 400, /https|10\.1\.2\.3/],
      ['referenceImage_2', `${base}/silent`, 422, /no answer within 0.5 s/],
      ['endImage', `${base}/missing`, 422, /answered 404/],
      ['referenceImage_1', `${base}/html`, 400, /not a PNG, JPEG or WebP/],
    ];
    const frame = (await upload(flowq, testPng(1280, 720, 64))).body.id as string;
    for (const [field, url, status, message] of cases) {
      // An end frame needs a start frame.
      const body = { prompt: 'x', ...(field === 'endImage' ? { startImage: frame } : {}), [field]: url };
      const res = await postJob(flowq, body);
      expect(res.status, `${field} ${url}`).toBe(status);
      expect(res.body.error.field).toBe(field);
      expect(res.body.error.message).toMatch(message);
    }
    expect((await flowq.db.db.select().from(images)).map((i) => i.id)).toEqual([frame]);
  });
});

describe('image columns of a CSV batch', () => {
  it("take img_ ids and URLs like a job (each URL fetched once per batch), and refuse another key's image in its row and column", async () => {
    const bytes = testPng(640, 360, 3_000);
    let served = 0;
    server = createServer((_req, res) => {
      served += 1;
      res.writeHead(200, { 'content-type': 'image/png' }).end(bytes);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/frame.png`;
    flowq = await start('images-batch', { SSRF_ALLOWLIST: '127.0.0.1' });
    const mine = (await upload(flowq, testPng(1280, 720, 64))).body.id as string;
    const theirs = (await upload(flowq, testPng(10, 10, 64), { key: OTHER_KEY })).body.id as string;
    const csv = ['prompt,startImage', `one,${mine}`, `two,${url}`, `three,${theirs}`, `four,${url}`].join('\n');
    const res = await flowq.request('/v1/batches?onInvalid=skip', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
    expect(res.status).toBe(201);
    const batch = (await res.json()) as { id: string; accepted: number; rejected: number; errors: { row: number; column: string; message: string }[] };
    expect(batch).toMatchObject({ accepted: 3, rejected: 1 });
    expect(batch.errors).toEqual([{ row: 3, column: 'startImage', message: expect.stringMatching(/no image/) }]);
    expect(served).toBe(1);
    const jobs = (await (await flowq.request(`/v1/batches/${batch.id}/jobs`)).json()) as { items: { id: string; request: { startImage: string } }[] };
    expect(jobs.items.map((j) => j.request.startImage)).toEqual([mine, expect.stringMatching(/^img_/), expect.stringMatching(/^img_/)]);
    const done = await Promise.all(jobs.items.map((j) => jobUntilDone(flowq!, j.id)));
    expect(done.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });
});

describe('uploads to useapi that fail', () => {
  it('a 429 or 503 on upload is a capacity wait (no attempt spent), and the job runs', async () => {
    flowq = await start('images-upload-wait');
    const image = (await upload(flowq, testPng(1280, 720, 64))).body.id as string;
    flowq.sim.faults.failNextSubmits({ kind: 'throttled', endpoint: 'assets' });
    flowq.sim.faults.failNextSubmits({ kind: 'google-unavailable', endpoint: 'assets', retryAfterSec: 0 });
    const job = await postJob(flowq, { prompt: 'after a wait', startImage: image });
    const done = await jobUntilDone(flowq, job.body.id);
    expect(done.status).toBe('succeeded');
    expect((await findJob(flowq.db.db, job.body.id))!.attempts).toBe(0);
    expect(flowq.sim.faults.pendingSubmitFaults()).toEqual([]);
  });

  it('a 400 on upload (the image refused by the content filter) fails the job with that reason', async () => {
    flowq = await start('images-upload-refused');
    const image = (await upload(flowq, testPng(1280, 720, 64))).body.id as string;
    flowq.sim.faults.failNextSubmits({ kind: 'unsafe', endpoint: 'assets' });
    const job = await postJob(flowq, { prompt: 'refused', startImage: image });
    const done = await jobUntilDone(flowq, job.body.id);
    expect(done.status).toBe('failed');
    expect(done.error.code).toBe('content_policy');
    expect(done.error.message).toMatch(/^startImage: upload to the account refused/);
    expect(flowq.sim.log.submissions()).toHaveLength(0);
  });

  it('an upload cut mid-way (taken upstream, answer lost): the job still succeeds, with one paid submission', async () => {
    flowq = await start('images-upload-cut');
    const image = (await upload(flowq, testPng(1280, 720, 64))).body.id as string;
    flowq.sim.faults.failNextSubmits({ kind: 'connection-reset', endpoint: 'assets' });
    const job = await postJob(flowq, { prompt: 'cut short', startImage: image });
    const done = await jobUntilDone(flowq, job.body.id);
    expect(done.status).toBe('succeeded');
    expect(flowq.sim.faults.pendingSubmitFaults()).toEqual([]);
    const paid = flowq.sim.log.submissions().filter((e) => e.status === 201);
    expect(paid).toHaveLength(1);
    const row = await findJob(flowq.db.db, job.body.id);
    // The lost upload left an unused asset upstream; flowq recorded and used only the one it saw.
    const uploads = await listImageUploads(flowq.db.db, image);
    expect(uploads).toHaveLength(1);
    expect(flowq.sim.assetsOf(row!.account!)).toContain(uploads[0]!.mediaGenerationId);
  });
});

describe('the image in the media store', () => {
  it('gone: the job fails naming the field; unreadable: the job waits, spending nothing, and runs once it can be read', async () => {
    flowq = await start('images-store');
    const bytes = testPng(1280, 720, 64);
    const gone = (await upload(flowq, bytes)).body.id as string;
    const [goneRow] = await flowq.db.db.select().from(images);
    await rm(join(flowq.env.MEDIA_DIR!, goneRow!.storageKey));
    const lost = await jobUntilDone(flowq, (await postJob(flowq, { prompt: 'lost', startImage: gone })).body.id);
    expect(lost.status).toBe('failed');
    expect(lost.error).toEqual({ code: 'invalid_request', message: `startImage: image ${gone} is no longer kept by flowq` });

    const other = testPng(1280, 720, 128);
    const kept = (await upload(flowq, other)).body.id as string;
    const file = join(flowq.env.MEDIA_DIR!, (await flowq.db.db.select().from(images)).find((i) => i.id === kept)!.storageKey);
    // A link to itself: opening it fails (ELOOP), as a store that does not answer.
    await rm(file);
    await symlink(file, file);
    const job = await postJob(flowq, { prompt: 'waits for the store', startImage: kept });
    await new Promise((r) => setTimeout(r, 1_500));
    const waiting = await findJob(flowq.db.db, job.body.id);
    expect(waiting!.status).toBe('queued');
    expect(waiting!.attempts).toBe(0);
    await rm(file);
    await writeFile(file, other);
    expect((await jobUntilDone(flowq, job.body.id)).status).toBe('succeeded');
  });
});

describe('one upload per image and account', () => {
  it('of many workers claiming at once one uploads, the others wait for its id; a dead claim is taken over; a failed one is dropped', async () => {
    const test = await createTestDatabase('image-claims');
    try {
      const { db } = test;
      const image = await recordImage(db, {
        id: 'img_00000000000000000000aa',
        ownerKey: 'key_x',
        sha256: 'a'.repeat(64),
        bytes: 10,
        width: 1,
        height: 1,
        contentType: 'image/png',
        storageKey: 'images/key_x/a.png',
        sourceUrl: null,
      });
      const now = new Date();
      const claims = await Promise.all(Array.from({ length: 8 }, () => claimImageUpload(db, image.id, 'A@x.test', now, 60_000)));
      expect(claims.filter((c) => c.kind === 'yours')).toHaveLength(1);
      expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(7);
      // A claim older than the deadline belongs to a dead worker: the next one takes it over.
      expect(await claimImageUpload(db, image.id, 'a@x.test', new Date(now.getTime() + 61_000), 60_000)).toEqual({ kind: 'yours' });
      expect(await recordImageUpload(db, image.id, 'a@x.test', 'media-1')).toBe('media-1');
      // The first worker's late upload finds the id already kept, and uses it.
      expect(await recordImageUpload(db, image.id, 'a@x.test', 'media-2')).toBe('media-1');
      expect(await claimImageUpload(db, image.id, 'a@x.test', new Date(now.getTime() + 999_000), 60_000)).toEqual({
        kind: 'held',
        mediaGenerationId: 'media-1',
      });
      // A failed upload drops its claim so the next job claims at once.
      expect(await claimImageUpload(db, image.id, 'b@x.test', now, 60_000)).toEqual({ kind: 'yours' });
      await dropImageUploadClaim(db, image.id, 'b@x.test');
      expect(await claimImageUpload(db, image.id, 'b@x.test', now, 60_000)).toEqual({ kind: 'yours' });
      expect((await listImageUploads(db, image.id)).map((u) => u.account).sort()).toEqual(['a@x.test', 'b@x.test']);
    } finally {
      await test.drop();
    }
  });
});
