import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { startTestS3Server, type TestS3Server } from '@flowq/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsMediaStore } from './fs-media-store';
import type { MediaStore } from './media-store';
import { MediaRejectedError, UnsafeKeyError } from './media-store-errors';
import { createS3MediaStore } from './s3-media-store';

const mp4 = (size: number) => {
  const head = Buffer.from([0, 0, 0, 0x18, ...Buffer.from('ftypisom'), 0, 0, 2, 0, ...Buffer.from('isomavc1')]);
  return Buffer.concat([head, randomBytes(size - head.length)]);
};
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 1, 2, 3]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A stream of `data` in small chunks, as a network body arrives. */
const chunked = (data: Buffer, chunk = 64 * 1024) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk);
    })(),
  );

/** Yields `data` up to `failAt`, then fails, as a download cut mid-way does. */
const cutOff = (data: Buffer, failAt: number) =>
  Readable.from(
    (async function* () {
      yield data.subarray(0, failAt);
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('connection reset');
    })(),
  );

const readAll = async (body: Readable) => {
  const parts: Buffer[] = [];
  for await (const p of body) parts.push(p as Buffer);
  return Buffer.concat(parts);
};

const keysOf = async (store: MediaStore, prefix: string) => {
  const keys: string[] = [];
  for await (const info of store.list(prefix)) keys.push(info.key);
  return keys.sort();
};

let dir: string;
let s3: TestS3Server;
const stores: Record<'fs' | 's3', MediaStore> = {} as never;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'flowq-media-'));
  stores.fs = await createFsMediaStore({ dir });
  s3 = await startTestS3Server();
  stores.s3 = createS3MediaStore(s3.options);
});

afterAll(async () => {
  await stores.fs?.close();
  await stores.s3?.close();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe.each(['fs', 's3'] as const)('%s media store', (driver) => {
  const store = () => stores[driver];

  it('stores a stream and gives back the same bytes, their size, SHA-256 and sniffed type', async () => {
    const data = mp4(300_000);
    const stored = await store().put('u1/job_a/0.mp4', chunked(data));
    expect(stored).toEqual({ key: 'u1/job_a/0.mp4', bytes: data.length, sha256: sha(data), contentType: 'video/mp4' });
    const read = await store().get('u1/job_a/0.mp4');
    expect(read?.bytes).toBe(data.length);
    expect(sha(await readAll(read!.body))).toBe(sha(data));
    const info = await store().head('u1/job_a/0.mp4');
    expect(info?.bytes).toBe(data.length);
  });

  it('streams a file larger than one multipart part without holding it whole', async () => {
    const data = mp4(19 * 1024 * 1024 + 123);
    const stored = await store().put('u1/big/0.mp4', chunked(data));
    expect(stored.sha256).toBe(sha(data));
    expect(sha(await readAll((await store().get('u1/big/0.mp4'))!.body))).toBe(sha(data));
  });

  it('serves byte ranges, reporting the whole size', async () => {
    const data = mp4(100_000);
    await store().put('u1/range/0.mp4', chunked(data));
    const read = await store().get('u1/range/0.mp4', { start: 1000, end: 1999 });
    expect(read?.bytes).toBe(100_000);
    expect(read?.range).toEqual({ start: 1000, end: 1999 });
    expect(await readAll(read!.body)).toEqual(data.subarray(1000, 2000));
    const tail = await store().get('u1/range/0.mp4', { start: 99_990, end: 99_999 });
    expect(await readAll(tail!.body)).toEqual(data.subarray(99_990));
  });

  it('answers null for a missing file and deletes idempotently', async () => {
    expect(await store().get('u1/none/0.mp4')).toBeNull();
    expect(await store().head('u1/none/0.mp4')).toBeNull();
    await store().put('u1/del/0.png', chunked(png));
    await store().delete('u1/del/0.png');
    expect(await store().head('u1/del/0.png')).toBeNull();
    await store().delete('u1/del/0.png');
  });

  it('lists by prefix, nested keys included, other prefixes not', async () => {
    for (const key of ['p2/job_x/0.mp4', 'p2/job_x/0.png', 'p2/job_y/1.mp4', 'p22/job_z/0.mp4']) await store().put(key, chunked(png));
    expect(await keysOf(store(), 'p2/')).toEqual(['p2/job_x/0.mp4', 'p2/job_x/0.png', 'p2/job_y/1.mp4']);
    expect(await keysOf(store(), 'p2/job_x/')).toEqual(['p2/job_x/0.mp4', 'p2/job_x/0.png']);
    expect(await keysOf(store(), 'p2')).toEqual(['p2/job_x/0.mp4', 'p2/job_x/0.png', 'p2/job_y/1.mp4', 'p22/job_z/0.mp4']);
    expect(await keysOf(store(), 'nothing-here/')).toEqual([]);
  });

  it.each([
    ['HTML (an expired link error page)', Buffer.from('<!DOCTYPE html><html><body>403</body></html>'), undefined, 'unknown_type'],
    ['a PNG where only MP4 is accepted', png, ['video/mp4'] as const, 'type_not_accepted'],
    ['an empty body', Buffer.alloc(0), undefined, 'empty'],
  ])('refuses %s and stores nothing', async (_name, body, accept, reason) => {
    const key = `refused/${reason}/0.mp4`;
    const error = await store()
      .put(key, chunked(body), accept ? { accept } : {})
      .catch((e) => e);
    expect(error).toBeInstanceOf(MediaRejectedError);
    expect(error.reason).toBe(reason);
    expect(await store().head(key)).toBeNull();
  });

  it('refuses a file over the size limit part-way through, storing nothing', async () => {
    const error = await store()
      .put('refused/big/0.mp4', chunked(mp4(2_000_000)), { maxBytes: 1_000_000 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(MediaRejectedError);
    expect(error.reason).toBe('too_large');
    expect(await store().head('refused/big/0.mp4')).toBeNull();
  });

  it('a download cut mid-way stores nothing and leaves the earlier file whole', async () => {
    const first = mp4(50_000);
    await store().put('u1/cut/0.mp4', chunked(first));
    const error = await store()
      .put('u1/cut/0.mp4', cutOff(mp4(10 * 1024 * 1024), 9 * 1024 * 1024))
      .catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    const read = await store().get('u1/cut/0.mp4');
    expect(sha(await readAll(read!.body))).toBe(sha(first));
    const error2 = await store()
      .put('u1/cut/1.mp4', cutOff(mp4(100_000), 50_000))
      .catch((e) => e);
    expect(error2).toBeInstanceOf(Error);
    expect(await store().head('u1/cut/1.mp4')).toBeNull();
  });

  it('a download that fails right after its first bytes is a failed put, not an uncaught error', async () => {
    const uncaught: unknown[] = [];
    const note = (e: unknown) => uncaught.push(e);
    process.prependListener('uncaughtException', note);
    try {
      for (let i = 0; i < 20; i++) {
        const failsAtOnce = Readable.from(
          (async function* () {
            yield mp4(20_000);
            throw new Error('connection reset');
          })(),
        );
        const error = await store()
          .put(`u1/early/${i}.mp4`, failsAtOnce)
          .catch((e) => e);
        expect(error).toBeInstanceOf(Error);
        expect(await store().head(`u1/early/${i}.mp4`)).toBeNull();
      }
      await new Promise((r) => setTimeout(r, 20));
      expect(uncaught).toEqual([]);
    } finally {
      process.removeListener('uncaughtException', note);
    }
  });

  it.each(['../escape.mp4', 'a/../../b.mp4', '/etc/passwd', 'a//b', '.hidden/x', 'a/./b', '', 'a\\b', 'sp ace'])('refuses the unsafe key %j', async (key) => {
    await expect(store().put(key, chunked(png))).rejects.toBeInstanceOf(UnsafeKeyError);
    await expect(store().get(key)).rejects.toBeInstanceOf(UnsafeKeyError);
    await expect(store().delete(key)).rejects.toBeInstanceOf(UnsafeKeyError);
  });
});

describe('fs media store', () => {
  it('leaves no temp file behind after a failed put, and never lists one', async () => {
    await stores.fs.put('t/cut/0.mp4', cutOff(mp4(100_000), 40_000)).catch(() => {});
    expect(await readdir(path.join(dir, '.incoming'))).toEqual([]);
    expect(await keysOf(stores.fs, '')).not.toContain('.incoming');
  });

  it('sweeps the temp file of a writer killed an hour ago when it opens', async () => {
    const stale = path.join(dir, '.incoming', 'dead-writer.part');
    const fresh = path.join(dir, '.incoming', 'live-writer.part');
    await writeFile(stale, 'half');
    await writeFile(fresh, 'half');
    const old = new Date(Date.now() - 2 * 3_600_000);
    await utimes(stale, old, old);
    await createFsMediaStore({ dir });
    expect(await readdir(path.join(dir, '.incoming'))).toEqual(['live-writer.part']);
    await rm(fresh);
  });

  it('has no presigned URLs', async () => {
    expect(await stores.fs.presignedUrl('u1/job_a/0.mp4', 60)).toBeUndefined();
  });
});

describe('s3 media store', () => {
  it('presigns a URL that serves the file without credentials', async () => {
    const data = mp4(20_000);
    await stores.s3.put('u1/presign/0.mp4', chunked(data));
    const url = await stores.s3.presignedUrl('u1/presign/0.mp4', 60, 'clip 0.mp4');
    expect(url).toMatch(/X-Amz-Signature=/);
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(sha(Buffer.from(await res.arrayBuffer()))).toBe(sha(data));
  });

  it('stores under a key prefix when one is configured, and lists without it', async () => {
    const prefixed = createS3MediaStore({ ...s3.options, keyPrefix: 'install-b/' });
    await prefixed.put('u9/job/0.png', chunked(png));
    expect(await keysOf(prefixed, 'u9/')).toEqual(['u9/job/0.png']);
    expect(await stores.s3.head('install-b/u9/job/0.png')).not.toBeNull();
    expect(await stores.s3.head('u9/job/0.png')).toBeNull();
    await prefixed.close();
  });
});

describe('s3 media store against a server in its own process (the archive bench)', () => {
  it('stores and reads back through the child server, and the child is gone after stop', async () => {
    const own = await startTestS3Server('own-process', { ownProcess: true });
    const store = createS3MediaStore(own.options);
    const data = mp4(300_000);
    const stored = await store.put('u1/own/0.mp4', chunked(data));
    expect(stored.sha256).toBe(sha(data));
    const read = await store.get('u1/own/0.mp4');
    const chunks: Buffer[] = [];
    for await (const c of read!.body) chunks.push(c as Buffer);
    expect(sha(Buffer.concat(chunks))).toBe(sha(data));
    await store.close();
    await own.stop();
    await expect(fetch(`${own.endpoint}/own-process`)).rejects.toThrow();
  });
});
