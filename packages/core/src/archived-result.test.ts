import { describe, expect, it } from 'vitest';
import { type ArchivedFile, archivedResult, expiredResult, upstreamResult } from './archived-result';
import type { JobResult } from './job-status';

const completed: JobResult = {
  remainingCredits: 90,
  videos: [
    { url: 'https://g.example/0.mp4', thumbnailUrl: 'https://g.example/0.jpg', seed: 1, mediaGenerationId: 'm0', status: 'succeeded' },
    { url: 'https://g.example/1.mp4', thumbnailUrl: null, seed: 2, mediaGenerationId: 'm1', status: 'succeeded' },
    { url: '', thumbnailUrl: null, seed: null, mediaGenerationId: null, status: 'failed' },
  ],
};
const file = (clipIndex: number, kind: ArchivedFile['kind'], status: ArchivedFile['status'], error: string | null = null): ArchivedFile => ({
  clipIndex,
  kind,
  status,
  bytes: status === 'archived' ? 1000 + clipIndex : null,
  sha256: status === 'archived' ? `sha-${clipIndex}-${kind}` : null,
  error,
});
const expires = new Date('2026-11-27T18:00:00Z');

describe('upstreamResult', () => {
  it('keeps the upstream links and their estimated expiry; archive off says so', () => {
    const r = upstreamResult(completed, expires, false);
    expect(r.videos[0]).toMatchObject({
      url: 'https://g.example/0.mp4',
      upstreamUrl: 'https://g.example/0.mp4',
      upstreamExpiresAt: '2026-11-27T18:00:00.000Z',
      archive: { status: 'off' },
    });
    expect(r.videos[2]!.upstreamExpiresAt).toBeNull();
    // Archiving: a generated clip is pending until stored; a clip that failed upstream has nothing to keep.
    expect(upstreamResult(completed, expires, true).videos[0]!.archive).toEqual({ status: 'pending' });
    expect(upstreamResult(completed, expires, true).videos[2]!.archive).toBeUndefined();
  });
});

describe('archivedResult', () => {
  const base = upstreamResult(completed, expires, true);

  it.each([
    [
      'everything archived',
      [file(0, 'video', 'archived'), file(0, 'thumbnail', 'archived'), file(1, 'video', 'archived')],
      [
        { url: '/v1/media/job_1/0.mp4', thumbnailUrl: '/v1/media/job_1/0.jpg', sha256: 'sha-0-video', bytes: 1000, archive: { status: 'archived' } },
        { url: '/v1/media/job_1/1.mp4', thumbnailUrl: null, sha256: 'sha-1-video', bytes: 1001, archive: { status: 'archived' } },
      ],
    ],
    [
      'a dead link for one video',
      [file(0, 'video', 'archived'), file(0, 'thumbnail', 'archived'), file(1, 'video', 'failed', 'upstream link expired (403)')],
      [
        { url: '/v1/media/job_1/0.mp4', archive: { status: 'archived' } },
        { url: 'https://g.example/1.mp4', archive: { status: 'failed', error: 'upstream link expired (403)' } },
      ],
    ],
    [
      'a video kept without its thumbnail',
      [file(0, 'video', 'archived'), file(0, 'thumbnail', 'failed', 'not an image'), file(1, 'video', 'archived')],
      [{ url: '/v1/media/job_1/0.mp4', thumbnailUrl: 'https://g.example/0.jpg', archive: { status: 'archived', error: 'thumbnail: not an image' } }, {}],
    ],
    ['no file row at all', [], [{ archive: { status: 'failed', error: 'the video was not archived' } }, { archive: { status: 'failed' } }]],
  ])('%s', (_name, files, expected) => {
    const r = archivedResult('job_1', base, files);
    for (const [i, e] of expected.entries()) expect(r.videos[i]).toMatchObject(e);
    expect(r.videos[2]).toEqual(base.videos[2]);
    expect(r.remainingCredits).toBe(90);
  });
});

describe('expiredResult', () => {
  it('marks archived clips expired and leaves the others alone', () => {
    const r = expiredResult(archivedResult('job_1', upstreamResult(completed, expires, true), [file(0, 'video', 'archived'), file(1, 'video', 'failed', 'x')]));
    expect(r.videos.map((v) => v.archive?.status)).toEqual(['expired', 'failed', undefined]);
  });
});

describe('image results', () => {
  const images: JobResult = {
    videos: [],
    images: [
      { url: 'https://g.example/i0', seed: 5, mediaGenerationId: 'i0' },
      { url: 'https://g.example/i1', upstreamUrl: 'https://g.example/i1', upstreamExpiresAt: '2026-11-27T17:00:00.000Z', seed: 6, mediaGenerationId: 'i1' },
    ],
  };
  const image = (index: number, status: ArchivedFile['status'], contentType: string | null, error: string | null = null): ArchivedFile => ({
    ...file(index, 'image', status, error),
    contentType,
  });

  it('are pending while archiving (off without it), keeping their upstream link and its expiry', () => {
    const r = upstreamResult(images, expires, true);
    expect(r.images).toEqual([
      { ...images.images![0], upstreamUrl: 'https://g.example/i0', upstreamExpiresAt: '2026-11-27T18:00:00.000Z', archive: { status: 'pending' } },
      { ...images.images![1], archive: { status: 'pending' } },
    ]);
    expect(upstreamResult(images, expires, false).images!.map((i) => i.archive)).toEqual([{ status: 'off' }, { status: 'off' }]);
    expect(upstreamResult(completed, expires, true).images).toBeUndefined();
  });

  it.each([
    [
      'both archived, typed by their bytes',
      [image(0, 'archived', 'image/jpeg'), image(1, 'archived', 'image/png')],
      ['/v1/media/job_1/image-0.jpg', '/v1/media/job_1/image-1.png'],
      ['archived', 'archived'],
    ],
    [
      'one given up keeps its upstream link and says why',
      [image(0, 'archived', 'image/webp'), image(1, 'failed', null, 'dead link')],
      ['/v1/media/job_1/image-0.webp', 'https://g.example/i1'],
      ['archived', 'failed'],
    ],
  ])('%s', (_name, files, urls, statuses) => {
    const r = archivedResult('job_1', upstreamResult(images, expires, true), files);
    expect(r.images!.map((i) => i.url)).toEqual(urls);
    expect(r.images!.map((i) => i.archive?.status)).toEqual(statuses);
    expect(r.images![0]).toMatchObject({ sha256: 'sha-0-image', bytes: 1000, seed: 5 });
    if (statuses[1] === 'failed') expect(r.images![1]!.archive).toEqual({ status: 'failed', error: 'dead link' });
    expect(expiredResult(r).images!.map((i) => i.archive?.status)).toEqual(statuses.map((s) => (s === 'archived' ? 'expired' : s)));
  });
});
