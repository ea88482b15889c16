/** A file of a job's result: the video of one clip, its thumbnail, or one image of an image job. */
export type MediaFileKind = 'video' | 'thumbnail' | 'image';

/** The image types an image result may be stored as, and the extension each is served with. */
const IMAGE_EXTENSION: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

/**
 * The extension of an image file: from the type its bytes were sniffed as when it was stored.
 * Upstream images are JPEG, so that is what a file not stored yet is taken to be.
 */
export function imageExtension(contentType: string | null | undefined): string {
  return (contentType && IMAGE_EXTENSION[contentType]) ?? 'jpg';
}

/**
 * Where the file of `clip` (an image's index for `image`) lives in the media store. An image's
 * key has no extension: its type is known only once its bytes arrive (the row records it).
 */
export function mediaStorageKey(jobId: string, clip: number, kind: MediaFileKind): string {
  if (kind === 'image') return `jobs/${jobId}/image-${clip}`;
  return `jobs/${jobId}/${clip}.${kind === 'video' ? 'mp4' : 'jpg'}`;
}

/**
 * flowq's own address of the file, below PUBLIC_URL: `/v1/media/<job>/<clip>.mp4|jpg` for a clip
 * and its thumbnail, `/v1/media/<job>/image-<n>.jpg|png|webp` for an image (`contentType`: as stored).
 */
export function mediaUrlPath(jobId: string, clip: number, kind: MediaFileKind, contentType?: string | null): string {
  return `/v1/media/${jobId}/${mediaFileName(clip, kind, contentType)}`;
}

export function mediaFileName(clip: number, kind: MediaFileKind, contentType?: string | null): string {
  if (kind === 'image') return `image-${clip}.${imageExtension(contentType)}`;
  return `${clip}.${kind === 'video' ? 'mp4' : 'jpg'}`;
}

/** The clip (or image index), kind and extension a media URL's file name names, or null. */
export function parseMediaFileName(name: string): { clip: number; kind: MediaFileKind; extension: string } | null {
  const image = /^image-(\d{1,2})\.(jpg|png|webp)$/.exec(name);
  if (image) return { clip: Number(image[1]), kind: 'image', extension: image[2]! };
  const match = /^(\d{1,2})\.(mp4|jpg)$/.exec(name);
  if (!match) return null;
  return { clip: Number(match[1]), kind: match[2] === 'mp4' ? 'video' : 'thumbnail', extension: match[2]! };
}
