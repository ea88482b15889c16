import { describe, expect, it } from 'vitest';
import { newId } from './ids';
import { classifyImageInput, imageFieldsOf, imageStorageKey } from './image-input';

const imgId = newId('img', 1_700_000_000_000);

describe('classifyImageInput: what an image field holds', () => {
  it.each([
    ['a flowq image id', imgId, { kind: 'image', id: imgId }],
    ['an https URL', 'https://example.com/a.png', { kind: 'url', url: 'https://example.com/a.png' }],
    ['a plain http URL (the SSRF guard decides later)', 'http://127.0.0.1:8080/a.png', { kind: 'url', url: 'http://127.0.0.1:8080/a.png' }],
    ['an upper-case scheme', 'HTTPS://example.com/a.png', { kind: 'url', url: 'HTTPS://example.com/a.png' }],
    ['a useapi mediaGenerationId', 'user:1-email:61406240782e636f6d-image:0b1c', { kind: 'media', id: 'user:1-email:61406240782e636f6d-image:0b1c' }],
    ['an img_ prefix of the wrong length is a media id', 'img_short', { kind: 'media', id: 'img_short' }],
    ['another scheme is a media id (useapi judges it)', 'ftp://example.com/a.png', { kind: 'media', id: 'ftp://example.com/a.png' }],
  ])('%s', (_, value, expected) => {
    expect(classifyImageInput(value)).toEqual(expected);
  });
});

describe('imageStorageKey', () => {
  it('is named by owner and content, so the same bytes are one file per owner', () => {
    expect(imageStorageKey('key_ab12', 'f'.repeat(64), 'image/png')).toBe(`images/key_ab12/${'f'.repeat(64)}.png`);
    expect(imageStorageKey('key_ab12', 'f'.repeat(64), 'image/jpeg')).toMatch(/\.jpg$/);
  });
});

describe('imageFieldsOf', () => {
  it.each([
    ['video', ['startImage', 'endImage', 'referenceImage_1']],
    ['image', ['reference_1', 'reference_10']],
    ['upscale', []],
    ['extend', []],
  ])('%s', (kind, some) => {
    const fields = imageFieldsOf(kind);
    for (const f of some) expect(fields).toContain(f);
    if (some.length === 0) expect(fields).toEqual([]);
  });
});
