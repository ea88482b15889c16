import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { mediaStorageKey, mediaUrlPath } from '@flowq/core';
import { jobs, mediaFiles } from '@flowq/db';
import { createS3MediaStore } from '@flowq/media-store';
import { startTestS3Server, type TestS3Server } from '@flowq/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test-app';

const SECRET = 'media-test-signing-secret-0123456789abcdef';
let t: Awaited<ReturnType<typeof buildTestApp>>;
const video = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), randomBytes(200_000)]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let jobId: string;
let otherKey: string;

/** A succeeded job whose clip 0 is archived: the rows and file the archive step leaves. */
async function archivedJob(headers: Record<string, string>, status: 'archived' | 'expired' = 'archived'): Promise<string> {
  const created = await t.app.inject({ method: 'POST', url: '/v1/jobs', headers, payload: { prompt: 'a media test' } });
  const id = created.json().id as string;
  const [row] = await t.db.db.select().from(jobs).where(eq(jobs.id, id));
  const key = mediaStorageKey(id, 0, 'video');
  const stored = await t.mediaStore.put(key, Readable.from([video]));
  await t.db.db.insert(mediaFiles).values({
    id: `med_${id}_0`,
    jobId: id,
    ownerKey: row!.ownerKey,
    clipIndex: 0,
    kind: 'video',
    status,
    storageKey: key,
    upstreamUrl: 'https://storage.example/v.mp4',
    bytes: stored.bytes,
    sha256: stored.sha256,
    contentType: stored.contentType,
    archivedAt: new Date(),
  });
  const path = mediaUrlPath(id, 0, 'video');
  await t.db.db
    .update(jobs)
    .set({
      status: 'succeeded',
      result: {
        videos: [
          {
            url: path,
            thumbnailUrl: null,
            seed: 1,
            mediaGenerationId: null,
            status: 'succeeded',
            upstreamUrl: 'https://storage.example/v.mp4',
            sha256: stored.sha256,
            bytes: stored.bytes,
            archive: { status },
          },
        ],
      },
    })
    .where(eq(jobs.id, id));
  return id;
}

beforeAll(async () => {
  t = await buildTestApp('media-routes', { MEDIA_SIGNING_SECRET: SECRET, PUBLIC_URL: 'https://flowq.example' });
  jobId = await archivedJob(t.auth);
  const key = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: t.auth, payload: { name: 'someone else' } });
  otherKey = key.json().key;
});
afterAll(async () => t?.close());

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

describe('GET /v1/media/:job/:file', () => {
  it('the job names flowq addresses, the checksum and a signed download link', async () => {
    const job = (await get(`/v1/jobs/${jobId}`, t.auth)).json();
    const v = job.result.videos[0];
    expect(v.url).toBe(`https://flowq.example/v1/media/${jobId}/0.mp4`);
    expect(v.downloadUrl).toMatch(new RegExp(`^https://flowq\\.example/v1/media/${jobId}/0\\.mp4\\?expires=\\d+&sig=`));
    expect(v).toMatchObject({ sha256: sha(video), bytes: video.length, upstreamUrl: 'https://storage.example/v.mp4', archive: { status: 'archived' } });
  });

  it('serves the whole file with the API key: type, length, ETag, immutable caching', async () => {
    const res = await get(`/v1/media/${jobId}/0.mp4`, t.auth);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('video/mp4');
    expect(Number(res.headers['content-length'])).toBe(video.length);
    expect(res.headers.etag).toBe(`"${sha(video)}"`);
    expect(res.headers['cache-control']).toContain('immutable');
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(sha(res.rawPayload)).toBe(sha(video));
  });

  it('serves byte ranges (206), and 416 past the end', async () => {
    const part = await get(`/v1/media/${jobId}/0.mp4`, { ...t.auth, range: 'bytes=100-1099' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-1099/${video.length}`);
    expect(part.rawPayload.equals(video.subarray(100, 1100))).toBe(true);
    const tail = await get(`/v1/media/${jobId}/0.mp4`, { ...t.auth, range: 'bytes=-10' });
    expect(tail.rawPayload.equals(video.subarray(-10))).toBe(true);
    const beyond = await get(`/v1/media/${jobId}/0.mp4`, { ...t.auth, range: `bytes=${video.length}-` });
    expect(beyond.statusCode).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${video.length}`);
    expect(beyond.json().error.code).toBe('range_not_satisfiable');
    const stale = await get(`/v1/media/${jobId}/0.mp4`, { ...t.auth, range: 'bytes=0-9', 'if-range': '"another-version"' });
    expect(stale.statusCode).toBe(200);
  });

  it('answers 304 to a matching If-None-Match, and HEAD without a body', async () => {
    const cached = await get(`/v1/media/${jobId}/0.mp4`, { ...t.auth, 'if-none-match': `"${sha(video)}"` });
    expect(cached.statusCode).toBe(304);
    const head = await t.app.inject({ method: 'HEAD', url: `/v1/media/${jobId}/0.mp4`, headers: t.auth });
    expect(head.statusCode).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(video.length);
    expect(head.rawPayload.length).toBe(0);
  });

  it('opens with the signed link alone; a tampered, expired or moved link is refused', async () => {
    const link = new URL((await get(`/v1/jobs/${jobId}`, t.auth)).json().result.videos[0].downloadUrl);
    const res = await get(link.pathname + link.search);
    expect(res.statusCode).toBe(200);
    expect(sha(res.rawPayload)).toBe(sha(video));
    const tampered = await get(`${link.pathname}${link.search.replace(/sig=./, 'sig=A')}`);
    expect(tampered.statusCode).toBe(403);
    const pushed = await get(`${link.pathname}?expires=99999999999&sig=${link.searchParams.get('sig')}`);
    expect(pushed.statusCode).toBe(403);
    const moved = await get(`/v1/media/${jobId}/0.jpg${link.search}`);
    expect(moved.statusCode).toBe(403);
    const { signMediaPath } = await import('../../media/signed-media-link');
    const expired = await get(signMediaPath(SECRET, `/v1/media/${jobId}/0.mp4`, Math.floor(Date.now() / 1000) - 1));
    expect(expired.statusCode).toBe(403);
    expect(expired.json().error.message).toMatch(/expired/);
  });

  it('needs a key or a signature, and another key gets 404', async () => {
    expect((await get(`/v1/media/${jobId}/0.mp4`)).statusCode).toBe(401);
    expect((await get(`/v1/media/${jobId}/0.mp4`, { authorization: `Bearer ${otherKey}` })).statusCode).toBe(404);
    const own = await archivedJob({ authorization: `Bearer ${otherKey}` });
    expect((await get(`/v1/media/${own}/0.mp4`, { authorization: `Bearer ${otherKey}` })).statusCode).toBe(200);
  });

  it('404 for a file never archived or a bad name, 410 once retention deleted it', async () => {
    expect((await get(`/v1/media/${jobId}/1.mp4`, t.auth)).statusCode).toBe(404);
    expect((await get(`/v1/media/${jobId}/x.exe`, t.auth)).statusCode).toBe(404);
    const gone = await archivedJob(t.auth, 'expired');
    const res = await get(`/v1/media/${gone}/0.mp4`, t.auth);
    expect(res.statusCode).toBe(410);
    expect(res.json().error.code).toBe('media_expired');
    const view = (await get(`/v1/jobs/${gone}`, t.auth)).json().result.videos[0];
    expect(view).toMatchObject({ url: null, downloadUrl: null, archive: { status: 'expired' } });
  });
});

describe('with the S3 driver and MEDIA_S3_REDIRECT', () => {
  let s3: TestS3Server;
  let s3t: Awaited<ReturnType<typeof buildTestApp>>;
  beforeAll(async () => {
    s3 = await startTestS3Server('flowq-redirect');
    s3t = await buildTestApp('media-redirect', { ...s3.env, MEDIA_S3_REDIRECT: 'true', MEDIA_SIGNING_SECRET: SECRET });
  });
  afterAll(async () => {
    await s3t?.close();
    await s3?.stop();
  });

  it('answers with a redirect to a presigned URL that serves the same bytes', async () => {
    const store = createS3MediaStore(s3.options);
    const key = mediaStorageKey('job_redirect', 0, 'video');
    const stored = await store.put(key, Readable.from([video]));
    const created = await s3t.app.inject({ method: 'POST', url: '/v1/jobs', headers: s3t.auth, payload: { prompt: 'redirect' } });
    const id = created.json().id;
    await s3t.db.db.insert(mediaFiles).values({
      id: 'med_redirect',
      jobId: id,
      clipIndex: 0,
      kind: 'video',
      status: 'archived',
      storageKey: key,
      upstreamUrl: 'https://storage.example/v.mp4',
      bytes: stored.bytes,
      sha256: stored.sha256,
      contentType: stored.contentType,
    });
    const res = await s3t.app.inject({ method: 'GET', url: `/v1/media/${id}/0.mp4`, headers: s3t.auth });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toContain(s3.endpoint);
    const followed = await fetch(res.headers.location as string);
    expect(sha(Buffer.from(await followed.arrayBuffer()))).toBe(sha(video));
    await store.close();
  });
});
