import { describe, expect, it } from 'vitest';
import { BODIES } from './fixtures/upstream-bodies';
import { jobRecordSchema } from './schemas/job-record';
import { videosOf } from './videos-of';

const record = (body: unknown) => jobRecordSchema.parse(body);

describe('videosOf', () => {
  it.each([
    {
      name: 'operations shape, one clip failed',
      body: BODIES.completedOperations,
      expected: {
        videos: [
          { url: 'https://v/1.mp4', thumbnailUrl: 'https://t/1.jpg', seed: 7, mediaGenerationId: 'mg-1', status: 'succeeded' },
          { url: '', thumbnailUrl: null, seed: null, mediaGenerationId: null, status: 'failed' },
        ],
        remainingCredits: 18740,
      },
    },
    {
      name: 'media shape, one clip failed',
      body: BODIES.completedMedia,
      expected: {
        videos: [
          { url: 'https://v/a.mp4', thumbnailUrl: 'https://t/a.jpg', seed: 11, mediaGenerationId: 'mg-a', status: 'succeeded' },
          { url: '', thumbnailUrl: null, seed: null, mediaGenerationId: 'mg-b', status: 'failed' },
        ],
        remainingCredits: 500,
      },
    },
    {
      name: 'sync 200 read into a record',
      body: BODIES.sync200,
      expected: {
        videos: [
          {
            url: 'https://storage.googleapis.com/ai-sandbox-videofx/video/1',
            thumbnailUrl: 'https://storage.googleapis.com/ai-sandbox-videofx/image/1',
            seed: 123456,
            mediaGenerationId: 'CAUSJ1',
            status: 'succeeded',
          },
        ],
        remainingCredits: 18760,
      },
    },
    {
      name: 'a pending record has its operations but no URLs: all failed',
      body: BODIES.created201,
      expected: {
        videos: [
          { status: 'failed', url: '' },
          { status: 'failed', url: '' },
        ],
        remainingCredits: null,
      },
    },
  ])('$name', ({ body, expected }) => {
    expect(videosOf(record(body))).toMatchObject(expected);
  });

  it.each([
    {
      name: 'SUCCESSFUL without a URL counts as failed',
      entry: { mediaGenerationId: 'x', mediaMetadata: { mediaStatus: { mediaGenerationStatus: 'MEDIA_GENERATION_STATUS_SUCCESSFUL' } } },
      status: 'failed',
    },
    { name: 'a URL and no status counts as succeeded', entry: { videoUrl: 'https://v/x.mp4' }, status: 'succeeded' },
    {
      name: 'a URL with status FAILED counts as failed',
      entry: { videoUrl: 'https://v/x.mp4', mediaMetadata: { mediaStatus: { mediaGenerationStatus: 'MEDIA_GENERATION_STATUS_FAILED' } } },
      status: 'failed',
    },
    { name: 'nested mediaGenerationId', entry: { videoUrl: 'u', mediaGenerationId: { mediaGenerationId: 'nested' } }, status: 'succeeded', id: 'nested' },
  ])('media entry: $name', ({ entry, status, id }) => {
    const [video] = videosOf({ response: { media: [entry] } }).videos;
    expect(video?.status).toBe(status);
    if (id) expect(video?.mediaGenerationId).toBe(id);
  });

  it('gives no clips for a response of neither shape', () => {
    expect(videosOf({ response: { error: { code: 500 } } })).toEqual({ videos: [], remainingCredits: null });
    expect(videosOf({})).toEqual({ videos: [], remainingCredits: null });
  });
});
