/**
 * The Google Flow video models flowq knows. Adding a model is one entry here:
 * request validation, the simulator and credit estimates all read this table.
 */
export const VIDEO_MODELS = {
  'veo-3.1-quality': { credits: 100, ultraOnly: false, referenceImages: false },
  'veo-3.1-fast': { credits: 10, ultraOnly: false, referenceImages: true },
  'veo-3.1-fast-relaxed': { credits: 0, ultraOnly: true, referenceImages: true },
} as const satisfies Record<string, VideoModelInfo>;

export interface VideoModelInfo {
  /** Credits one clip costs (per `count`). */
  credits: number;
  /** Only Google AI Ultra accounts may use it. */
  ultraOnly: boolean;
  /** Supports R2V (referenceImage_1..3). */
  referenceImages: boolean;
}

export type VideoModel = keyof typeof VIDEO_MODELS;
export const VIDEO_MODEL_IDS = Object.keys(VIDEO_MODELS) as [VideoModel, ...VideoModel[]];
export const DEFAULT_VIDEO_MODEL: VideoModel = 'veo-3.1-fast';

export const ASPECT_RATIOS = ['landscape', 'portrait'] as const;
export type AspectRatio = (typeof ASPECT_RATIOS)[number];

export function isVideoModel(value: string): value is VideoModel {
  return Object.hasOwn(VIDEO_MODELS, value);
}

export function creditsFor(model: VideoModel, count: number): number {
  return VIDEO_MODELS[model].credits * count;
}
