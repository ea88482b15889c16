import { creditsFor, DEFAULT_VIDEO_MODEL, specOf, type AccountTier, type VideoModel } from './model-catalog';

/**
 * What useapi's `POST /videos/upscale` and `POST /videos/extend` cost and who may run them
 * (2026 notes §4). Both act on a finished video and run only on the account that made it.
 */

export const UPSCALE_RESOLUTIONS = ['1080p', '4K'] as const;
export type UpscaleResolution = (typeof UPSCALE_RESOLUTIONS)[number];
export const DEFAULT_UPSCALE_RESOLUTION: UpscaleResolution = '1080p';

const UPSCALE: Record<UpscaleResolution, { credits: number; tiers: readonly AccountTier[] }> = {
  '1080p': { credits: 0, tiers: ['ultra', 'pro'] },
  '4K': { credits: 50, tiers: ['ultra'] },
};

export function upscaleCreditsFor(resolution: UpscaleResolution): number {
  return UPSCALE[resolution].credits;
}

/** 1080p on any paid plan, 4K on Ultra only. */
export function upscaleTiersFor(resolution: UpscaleResolution): readonly AccountTier[] {
  return UPSCALE[resolution].tiers;
}

/** Extend adds one 8 s segment; Veo only (omni clips cannot be extended). */
export const EXTEND_SECONDS = 8;
export const DEFAULT_EXTEND_MODEL: VideoModel = DEFAULT_VIDEO_MODEL;

export function canExtendWith(model: VideoModel): boolean {
  return specOf(model).family === 'veo';
}

/**
 * The notes find no separate extend price; each Veo row lists "Extend" beside its clip price, so
 * an extension is priced as an 8 s clip of the chosen model.
 */
export function extendCreditsFor(request: { model: VideoModel; count?: number | undefined }, tier: AccountTier): number {
  return creditsFor({ model: request.model, duration: EXTEND_SECONDS, count: request.count }, tier);
}
