import { testPng } from '@flowq/testing';
import { SAMPLE_JPEG, SAMPLE_MP4 } from '@flowq/flow-simulator';
import { MAX_IMAGE_BYTES } from '@flowq/core';
import { describe, expect, it } from 'vitest';
import { imageFactsOf, readImageBody } from './image-bytes';

describe('imageFactsOf: what bytes are as an image input', () => {
  it.each([
    ['a PNG', testPng(1280, 720), { contentType: 'image/png', width: 1280, height: 720 }],
    ['a JPEG', Buffer.from(SAMPLE_JPEG), { contentType: 'image/jpeg', width: 64, height: 36 }],
  ])('%s is taken, with its size and sha256', (_, bytes, expected) => {
    const facts = imageFactsOf(bytes, 'file');
    expect(facts).toMatchObject({ ...expected, bytes: bytes.length });
    expect(facts.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['empty', Buffer.alloc(0), 400, /file: is empty/],
    ['text', Buffer.from('not an image at all, just words'), 400, /file: is not a PNG, JPEG or WebP/],
    ['an MP4', Buffer.from(SAMPLE_MP4), 400, /which are video\/mp4/],
    ['a PNG signature without its header', testPng(1, 1).subarray(0, 12), 400, /cannot be read/],
    ['a PNG of zero width', testPng(0, 10), 400, /cannot be read/],
    ['over 20 MB', testPng(10, 10, 33 + MAX_IMAGE_BYTES), 413, /larger than 20 MB/],
  ])('%s is refused naming the field', (_, bytes, status, message) => {
    let thrown: unknown;
    try {
      imageFactsOf(bytes, 'startImage');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ status, field: 'startImage' });
    expect((thrown as Error).message.replace('startImage', 'file')).toMatch(message);
  });

  it('readImageBody stops at the first chunk past 20 MB', async () => {
    async function* chunks() {
      for (let i = 0; i < 30; i++) yield Buffer.alloc(1024 * 1024);
      throw new Error('read past the limit');
    }
    await expect(readImageBody(chunks(), 'file')).rejects.toMatchObject({ status: 413, field: 'file' });
  });
});
