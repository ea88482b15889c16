import type { VideoResult } from '@flowq/core';
import { describe, expect, it } from 'vitest';
import { createMediaLinks } from './media-links';
import { videoView } from './video-view';

const links = createMediaLinks({
  publicUrl: 'https://flowq.example',
  signingSecret: 'a-test-secret-of-at-least-32-characters',
  ttlSeconds: 3600,
  now: () => 1_000_000,
});
const unsignedLinks = createMediaLinks({ publicUrl: 'https://flowq.example', signingSecret: undefined, ttlSeconds: 3600 });
const clip = { seed: 7, mediaGenerationId: 'm1', status: 'succeeded' } as const;
const upstream = {
  upstreamUrl: 'https://storage.example/v.mp4?sig=1',
  upstreamThumbnailUrl: 'https://storage.example/t.jpg?sig=1',
  upstreamExpiresAt: '2026-01-01T06:00:00.000Z',
};

describe('videoView', () => {
  it('an archived clip: flowq addresses, signed download links, the upstream links and the checksum', () => {
    const v: VideoResult = {
      ...clip,
      ...upstream,
      url: '/v1/media/job_1/0.mp4',
      thumbnailUrl: '/v1/media/job_1/0.jpg',
      sha256: 'ab',
      bytes: 10,
      archive: { status: 'archived' },
    };
    const view = videoView(v, links);
    expect(view.url).toBe('https://flowq.example/v1/media/job_1/0.mp4');
    expect(view.thumbnailUrl).toBe('https://flowq.example/v1/media/job_1/0.jpg');
    expect(view.downloadUrl).toMatch(/^https:\/\/flowq\.example\/v1\/media\/job_1\/0\.mp4\?expires=4620&sig=/);
    expect(view.thumbnailDownloadUrl).toMatch(/0\.jpg\?expires=/);
    expect(view).toMatchObject({ ...upstream, sha256: 'ab', bytes: 10, archive: { status: 'archived' } });
    expect(videoView(v, unsignedLinks).downloadUrl).toBeNull();
  });

  it('an expired clip says so and gives no link', () => {
    const v: VideoResult = { ...clip, ...upstream, url: '/v1/media/job_1/0.mp4', thumbnailUrl: '/v1/media/job_1/0.jpg', archive: { status: 'expired' } };
    expect(videoView(v, links)).toMatchObject({ url: null, thumbnailUrl: null, downloadUrl: null, archive: { status: 'expired' } });
  });

  it('a clip that could not be archived keeps the upstream link and says why', () => {
    const v: VideoResult = {
      ...clip,
      ...upstream,
      url: upstream.upstreamUrl,
      thumbnailUrl: upstream.upstreamThumbnailUrl,
      archive: { status: 'failed', error: 'link expired' },
    };
    expect(videoView(v, links)).toMatchObject({ url: upstream.upstreamUrl, downloadUrl: null, archive: { status: 'failed', error: 'link expired' } });
  });

  it('a result stored before archiving existed reads as not archived, with its link as the upstream one', () => {
    const v: VideoResult = { ...clip, url: 'https://storage.example/old.mp4', thumbnailUrl: null };
    expect(videoView(v, links)).toMatchObject({
      url: 'https://storage.example/old.mp4',
      upstreamUrl: 'https://storage.example/old.mp4',
      archive: { status: 'off' },
      sha256: null,
    });
  });
});
