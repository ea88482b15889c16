import { describe, expect, it } from 'vitest';
import { mediaStorageKey, mediaUrlPath, parseMediaFileName } from './media-file';

describe('media file names', () => {
  it.each([
    ['0.mp4', { clip: 0, kind: 'video', extension: 'mp4' }],
    ['3.jpg', { clip: 3, kind: 'thumbnail', extension: 'jpg' }],
    ['image-0.jpg', { clip: 0, kind: 'image', extension: 'jpg' }],
    ['image-2.png', { clip: 2, kind: 'image', extension: 'png' }],
    ['image-1.webp', { clip: 1, kind: 'image', extension: 'webp' }],
    ['image-1.mp4', null],
    ['0.png', null],
    ['image-.jpg', null],
    ['../0.mp4', null],
  ])('%s', (name, expected) => {
    expect(parseMediaFileName(name)).toEqual(expected);
  });

  it("an image's address carries the extension of the type it was stored as; its key has none", () => {
    expect(mediaUrlPath('job_1', 1, 'image', 'image/png')).toBe('/v1/media/job_1/image-1.png');
    expect(mediaUrlPath('job_1', 1, 'image', null)).toBe('/v1/media/job_1/image-1.jpg');
    expect(mediaUrlPath('job_1', 0, 'video')).toBe('/v1/media/job_1/0.mp4');
    expect(mediaStorageKey('job_1', 1, 'image')).toBe('jobs/job_1/image-1');
    expect(mediaStorageKey('job_1', 1, 'thumbnail')).toBe('jobs/job_1/1.jpg');
  });
});
