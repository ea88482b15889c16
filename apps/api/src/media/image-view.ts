import type { ClipArchive, ImageResult } from '@flowq/core';
import type { MediaLinks } from './media-links';

export interface ImageView {
  /** flowq's permanent address once archived (API key required); useapi's link when not archived; null once expired. */
  url: string | null;
  /** `url` signed to open without a key until it expires. */
  downloadUrl: string | null;
  upstreamUrl: string;
  upstreamExpiresAt: string | null;
  sha256: string | null;
  bytes: number | null;
  archive: ClipArchive;
  seed: number | null;
  mediaGenerationId: string | null;
}

/** One image as clients see it, read like a video clip (`videoView`). */
export function imageView(image: ImageResult, links: MediaLinks): ImageView {
  const archive = image.archive ?? { status: 'off' };
  const upstreamUrl = image.upstreamUrl ?? image.url;
  const base = {
    upstreamUrl,
    upstreamExpiresAt: image.upstreamExpiresAt ?? null,
    sha256: image.sha256 ?? null,
    bytes: image.bytes ?? null,
    archive,
    seed: image.seed,
    mediaGenerationId: image.mediaGenerationId,
  };
  if (archive.status === 'archived') return { ...base, url: links.absolute(image.url), downloadUrl: links.signed(image.url) };
  if (archive.status === 'expired') return { ...base, url: null, downloadUrl: null };
  return { ...base, url: upstreamUrl, downloadUrl: null };
}
