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
