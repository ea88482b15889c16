import type { ImageResult } from '@flowq/core';
import { imageMediaEntrySchema } from './schemas/image-answer';
import type { UpstreamJobRecord } from './schemas/job-record';
import { SIGNED_URL_TTL_MS } from './videos-of';

/**
 * The images of a completed image job (the `POST /images` answer or its `GET /jobs` record).
 * An image without a URL cannot be delivered and is left out; an `encodedImage` (inline bytes)
 * is not kept in the result (it would put megabytes in a row) and counts as missing until
 * archiving can store it.
 */
export function imagesOf(record: Pick<UpstreamJobRecord, 'response' | 'updated'>, receivedAt: Date = new Date()): ImageResult[] {
  const media = (record.response as { media?: unknown } | undefined)?.media;
  if (!Array.isArray(media)) return [];
  const base = record.updated ? new Date(record.updated) : receivedAt;
  const expiresAt = Number.isNaN(base.getTime()) ? null : new Date(base.getTime() + SIGNED_URL_TTL_MS).toISOString();
  const out: ImageResult[] = [];
  for (const entry of media) {
    const parsed = imageMediaEntrySchema.safeParse(entry);
    const image = parsed.success ? parsed.data.image?.generatedImage : undefined;
    if (!image?.fifeUrl) continue;
    out.push({
      url: image.fifeUrl,
      upstreamUrl: image.fifeUrl,
      upstreamExpiresAt: expiresAt,
      seed: image.seed ?? null,
      mediaGenerationId: image.mediaGenerationId ?? (parsed.success ? (parsed.data.name ?? null) : null),
    });
  }
  return out;
}
