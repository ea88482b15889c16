/**
 * What a flowq job makes. `video`: a generation from a prompt (`POST /videos`). `image`: Nano
 * Banana images (`POST /images`, synchronous upstream). `upscale` and `extend`: a finished video
 * made bigger or longer (`POST /videos/upscale`, `/videos/extend`), only on the account that
 * made it.
 */
export const JOB_KINDS = ['video', 'image', 'upscale', 'extend'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const DEFAULT_JOB_KIND: JobKind = 'video';

/** Kinds whose upstream call acts on a video another job made, so they run where it was made. */
export function actsOnSource(kind: JobKind): kind is 'upscale' | 'extend' {
  return kind === 'upscale' || kind === 'extend';
}
