import { describe, expect, it } from 'vitest';
import { sniffContentType } from './content-sniff';

const bytes = (...parts: (number[] | string)[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('sniffContentType', () => {
  it.each([
    ['an MP4 with an isom brand', bytes([0, 0, 0, 0x20], 'ftypisom', [0, 0, 2, 0]), 'video/mp4'],
    ['an MP4 with an mp42 brand and a large first box', bytes([0, 0, 1, 0], 'ftypmp42'), 'video/mp4'],
    ['a JPEG (JFIF)', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF'), 'image/jpeg'],
    ['a JPEG (Exif)', bytes([0xff, 0xd8, 0xff, 0xe1]), 'image/jpeg'],
    ['a PNG', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d], 'IHDR'), 'image/png'],
    ['a WebP', bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '), 'image/webp'],
    ['a WAV (RIFF but not WebP)', bytes('RIFF', [0x24, 0, 0, 0], 'WAVEfmt '), undefined],
    ['an HTML error page', bytes('<!DOCTYPE html><html>'), undefined],
    ['an XML S3 error', bytes('<?xml version="1.0"?>'), undefined],
    ['a GIF', bytes('GIF89a', [1, 0, 1, 0]), undefined],
    ['a PNG cut before its signature ends', bytes([0x89], 'PNG', [0x0d]), undefined],
    ['"ftyp" at the wrong offset', bytes('ftyp', [0, 0, 0, 0]), undefined],
    ['two bytes of JPEG', bytes([0xff, 0xd8]), undefined],
    ['nothing', bytes(), undefined],
  ])('%s -> %s', (_name, head, expected) => {
    expect(sniffContentType(head)).toBe(expected);
  });
});
