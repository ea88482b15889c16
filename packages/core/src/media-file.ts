/** A file of a job's result: the video of one clip, or its thumbnail. */
export type MediaFileKind = 'video' | 'thumbnail';

const EXTENSION: Record<MediaFileKind, string> = { video: 'mp4', thumbnail: 'jpg' };

/** Where the file of `clip` lives in the media store. */
export function mediaStorageKey(jobId: string, clip: number, kind: MediaFileKind): string {
  return `jobs/${jobId}/${clip}.${EXTENSION[kind]}`;
}

/** flowq's own address of the file, below PUBLIC_URL: `/v1/media/<job>/<clip>.mp4|jpg`. */
export function mediaUrlPath(jobId: string, clip: number, kind: MediaFileKind): string {
  return `/v1/media/${jobId}/${clip}.${EXTENSION[kind]}`;
}

/** The clip and kind a `<clip>.mp4|jpg` file name of a media URL names, or null. */
export function parseMediaFileName(name: string): { clip: number; kind: MediaFileKind } | null {
  const match = /^(\d{1,2})\.(mp4|jpg)$/.exec(name);
  if (!match) return null;
  return { clip: Number(match[1]), kind: match[2] === 'mp4' ? 'video' : 'thumbnail' };
}
