import type { ClipArchive, VideoResult } from '@flowq/core';
import type { MediaLinks } from './media-links';

export interface VideoView {
  /** flowq's permanent address once archived (API key required); useapi's link when not archived; null once expired. */
  url: string | null;
  thumbnailUrl: string | null;
  /** `url` signed to open without a key until it expires (for `<video src>`, curl, download managers). */
  downloadUrl: string | null;
  thumbnailDownloadUrl: string | null;
  upstreamUrl: string;
  upstreamThumbnailUrl: string | null;
  upstreamExpiresAt: string | null;
  sha256: string | null;
  bytes: number | null;
  archive: ClipArchive;
  seed: number | null;
  mediaGenerationId: string | null;
  status: 'succeeded' | 'failed';
}

/** One clip as clients see it. Results stored before archiving existed read as `off`. */
export function videoView(video: VideoResult, links: MediaLinks): VideoView {
  const archive = video.archive ?? { status: 'off' };
  const upstreamUrl = video.upstreamUrl ?? video.url;
  const upstreamThumbnailUrl = video.upstreamThumbnailUrl !== undefined ? video.upstreamThumbnailUrl : video.thumbnailUrl;
  const base = {
    upstreamUrl,
    upstreamThumbnailUrl,
    upstreamExpiresAt: video.upstreamExpiresAt ?? null,
    sha256: video.sha256 ?? null,
    bytes: video.bytes ?? null,
    archive,
    seed: video.seed,
    mediaGenerationId: video.mediaGenerationId,
    status: video.status,
  };
  if (archive.status === 'archived') {
    const thumb = video.thumbnailUrl;
    return {
      ...base,
      url: links.absolute(video.url),
      thumbnailUrl: thumb ? links.absolute(thumb) : null,
      downloadUrl: links.signed(video.url),
      thumbnailDownloadUrl: thumb ? links.signed(thumb) : null,
    };
  }
  if (archive.status === 'expired') return { ...base, url: null, thumbnailUrl: null, downloadUrl: null, thumbnailDownloadUrl: null };
  return { ...base, url: upstreamUrl, thumbnailUrl: upstreamThumbnailUrl, downloadUrl: null, thumbnailDownloadUrl: null };
}
