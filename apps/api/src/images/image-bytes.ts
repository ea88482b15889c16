import { createHash } from 'node:crypto';
import { imageSize, MAX_IMAGE_BYTES, PayloadTooLargeError, ValidationError, type ImageType } from '@flowq/core';
import { IMAGE_CONTENT_TYPES, sniffContentType } from '@flowq/media-store';

export interface ImageFacts {
  contentType: ImageType;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
}

/**
 * What `bytes` are as an image input, judged by the bytes alone (never a header or a file
 * name): PNG, JPEG or WebP with a readable size, at most 20 MB. Otherwise a 400 (or 413)
 * naming `field`.
 */
export function imageFactsOf(bytes: Buffer, field: string): ImageFacts {
  if (bytes.length === 0) throw new ValidationError(`${field}: is empty`, field);
  if (bytes.length > MAX_IMAGE_BYTES) throw new PayloadTooLargeError(`${field}: is larger than 20 MB (${MAX_IMAGE_BYTES} bytes)`, field);
  const sniffed = sniffContentType(bytes.subarray(0, 16));
  if (!sniffed || !IMAGE_CONTENT_TYPES.includes(sniffed)) {
    throw new ValidationError(`${field}: is not a PNG, JPEG or WebP image (judged by its bytes${sniffed ? `, which are ${sniffed}` : ''})`, field);
  }
  const contentType = sniffed as ImageType;
  const size = imageSize(contentType, bytes);
  if (!size || size.width === 0 || size.height === 0)
    throw new ValidationError(`${field}: is a ${contentType} whose size cannot be read (a broken image)`, field);
  return { contentType, ...size, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Reads `source` whole, refusing (413 naming `field`) as soon as it passes 20 MB. */
export async function readImageBody(source: AsyncIterable<Buffer | Uint8Array>, field: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > MAX_IMAGE_BYTES) throw new PayloadTooLargeError(`${field}: is larger than 20 MB (${MAX_IMAGE_BYTES} bytes)`, field);
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  }
  return Buffer.concat(chunks, total);
}
