import type { ImageResult, JobResult, VideoResult } from './job-status';
import { type MediaFileKind, mediaUrlPath } from './media-file';

/** What the archive step knows of one stored file. */
export interface ArchivedFile {
  clipIndex: number;
  kind: MediaFileKind;
  status: 'pending' | 'archived' | 'failed' | 'expired';
  bytes: number | null;
  sha256: string | null;
  error: string | null;
  /** The type its bytes were sniffed as (an image's URL ends with its extension). */
  contentType?: string | null;
}

/** When useapi's links of a result are expected to die: the earliest file's estimate, else `now` + the configured lifetime. */
export function linksExpireAt(files: readonly { upstreamExpiresAt?: string | null }[], ttlMs: number, now: Date = new Date()): Date {
  const times = files.flatMap((f) => (f.upstreamExpiresAt ? [Date.parse(f.upstreamExpiresAt)] : []));
  return new Date(times.length > 0 ? Math.min(...times) : now.getTime() + ttlMs);
}

/**
 * A completed job's result as first written: useapi's links, when they are expected to die,
 * and whether flowq will keep the files (`pending` while the job is archiving; `off`: MEDIA_ARCHIVE=false).
 */
export function upstreamResult(result: JobResult, expiresAt: Date, archiving: boolean): JobResult {
  return {
    ...result,
    videos: result.videos.map((v) => ({
      ...v,
      upstreamUrl: v.url,
      upstreamThumbnailUrl: v.thumbnailUrl,
      upstreamExpiresAt: v.status === 'succeeded' ? expiresAt.toISOString() : null,
      ...(!archiving ? { archive: { status: 'off' as const } } : v.status === 'succeeded' ? { archive: { status: 'pending' as const } } : {}),
    })),
    ...(result.images
      ? {
          images: result.images.map((i) => ({
            ...i,
            upstreamUrl: i.upstreamUrl ?? i.url,
            upstreamExpiresAt: i.upstreamExpiresAt ?? expiresAt.toISOString(),
            archive: { status: archiving ? ('pending' as const) : ('off' as const) },
          })),
        }
      : {}),
  };
}

/**
 * The result once every file of the job has been archived or given up on: an archived video or image
 * points at flowq's address (its thumbnail too when that was kept), with its size and SHA-256;
 * a video that could not be kept keeps useapi's link and says why, never a silent dead link.
 */
export function archivedResult(jobId: string, result: JobResult, files: readonly ArchivedFile[]): JobResult {
  const fileOf = (clip: number, kind: MediaFileKind) => files.find((f) => f.clipIndex === clip && f.kind === kind);
  return {
    ...result,
    videos: result.videos.map((v, clip): VideoResult => {
      if (v.status !== 'succeeded') return v;
      const video = fileOf(clip, 'video');
      const thumb = fileOf(clip, 'thumbnail');
      const upstreamUrl = v.upstreamUrl ?? v.url;
      const upstreamThumbnailUrl = v.upstreamThumbnailUrl !== undefined ? v.upstreamThumbnailUrl : v.thumbnailUrl;
      if (!video || video.status !== 'archived') {
        const error = video?.error ?? 'the video was not archived';
        return { ...v, url: upstreamUrl, thumbnailUrl: upstreamThumbnailUrl, archive: { status: 'failed', error } };
      }
      const thumbKept = thumb?.status === 'archived';
      return {
        ...v,
        url: mediaUrlPath(jobId, clip, 'video'),
        thumbnailUrl: thumbKept ? mediaUrlPath(jobId, clip, 'thumbnail') : upstreamThumbnailUrl,
        ...(video.sha256 ? { sha256: video.sha256 } : {}),
        ...(video.bytes !== null ? { bytes: video.bytes } : {}),
        archive: thumb && !thumbKept ? { status: 'archived', error: `thumbnail: ${thumb.error ?? 'not archived'}` } : { status: 'archived' },
      };
    }),
    ...(result.images
      ? {
          images: result.images.map((i, index): ImageResult => {
            const image = fileOf(index, 'image');
            const upstreamUrl = i.upstreamUrl ?? i.url;
            if (image?.status !== 'archived') {
              return { ...i, url: upstreamUrl, archive: { status: 'failed', error: image?.error ?? 'the image was not archived' } };
            }
            return {
              ...i,
              url: mediaUrlPath(jobId, index, 'image', image.contentType),
              ...(image.sha256 ? { sha256: image.sha256 } : {}),
              ...(image.bytes !== null ? { bytes: image.bytes } : {}),
              archive: { status: 'archived' },
            };
          }),
        }
      : {}),
  };
}

/** A result whose archived files retention has deleted: each says `expired`. */
export function expiredResult(result: JobResult): JobResult {
  return {
    ...result,
    videos: result.videos.map((v) => (v.archive?.status === 'archived' ? { ...v, archive: { status: 'expired' } } : v)),
    ...(result.images ? { images: result.images.map((i) => (i.archive?.status === 'archived' ? { ...i, archive: { status: 'expired' } } : i)) } : {}),
  };
}
