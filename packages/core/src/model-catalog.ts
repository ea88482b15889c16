/**
 * The Google Flow video models flowq knows, as useapi.net serves them in 2026
 * (docs/models.md lists the same table for people). API validation, CSV rows, credit
 * accounting, the scheduler and the simulator all read this one table: adding a model is one
 * entry here plus its rows in model-catalog.test.ts.
 */

export const ACCOUNT_TIERS = ['ultra', 'pro'] as const;
/** `ultra`: Google AI Ultra. `pro`: any other paid plan (useapi's "non-Ultra": Plus, Pro). */
export type AccountTier = (typeof ACCOUNT_TIERS)[number];

export const ASPECT_RATIOS = ['landscape', 'portrait', '1:1', '4:3', '3:4'] as const;
export type AspectRatio = (typeof ASPECT_RATIOS)[number];

export const DURATIONS = [4, 6, 8, 10] as const;
export type Duration = (typeof DURATIONS)[number];
export const DEFAULT_DURATION: Duration = 8;

export const RESOLUTIONS = ['720p', '360p'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
export const DEFAULT_RESOLUTION: Resolution = '720p';

/** Credits of one clip, by tier. */
export interface TierCredits {
  ultra: number;
  pro: number;
}

export interface VideoModelSpec {
  family: 'veo' | 'omni';
  /** Credits per clip for each resolution and duration the model accepts. */
  credits: Partial<Record<Resolution, Partial<Record<Duration, TierCredits>>>>;
  durations: readonly Duration[];
  aspectRatios: readonly AspectRatio[];
  resolutions: readonly Resolution[];
  /** How many `referenceImage_N` it takes (0: no R2V). */
  referenceImages: number;
  /** Durations allowed with reference images (R2V), when narrower than `durations`. */
  referenceDurations?: readonly Duration[];
  /** Takes `startImage` / `endImage` (I2V, I2V-FL). */
  frames: boolean;
  /** Tiers whose accounts may run it at all. */
  tiers: readonly AccountTier[];
  /** Durations only Ultra accounts may ask for (Veo's 4 and 6 s). */
  ultraOnlyDurations: readonly Duration[];
  /** Runs behind paid work upstream (useapi: "lower priority"). */
  lowPriority: boolean;
}

const VEO_RATIOS = ['landscape', 'portrait', '1:1', '4:3', '3:4'] as const;
const VEO_DURATIONS = [4, 6, 8] as const;

function flat(durations: readonly Duration[], pro: number, ultra: number): Partial<Record<Duration, TierCredits>> {
  return Object.fromEntries(durations.map((d) => [d, { ultra, pro }]));
}

function sameForTiers(byDuration: Partial<Record<Duration, number>>): Partial<Record<Duration, TierCredits>> {
  return Object.fromEntries(Object.entries(byDuration).map(([d, c]) => [d, { ultra: c, pro: c }]));
}

function veo(spec: {
  pro: number;
  ultra: number;
  durations?: readonly Duration[];
  referenceImages: number;
  tiers?: readonly AccountTier[];
  lowPriority?: boolean;
}) {
  const durations = spec.durations ?? VEO_DURATIONS;
  return {
    family: 'veo',
    credits: { '720p': flat(durations, spec.pro, spec.ultra) },
    durations,
    aspectRatios: VEO_RATIOS,
    resolutions: ['720p'],
    referenceImages: spec.referenceImages,
    referenceDurations: [8],
    frames: true,
    tiers: spec.tiers ?? ACCOUNT_TIERS,
    ultraOnlyDurations: durations.filter((d) => d < 8),
    lowPriority: spec.lowPriority ?? false,
  } satisfies VideoModelSpec;
}

export const VIDEO_MODELS = {
  'veo-3.1-lite': veo({ pro: 10, ultra: 5, referenceImages: 3 }),
  'veo-3.1-lite-low-priority': veo({ pro: 0, ultra: 0, referenceImages: 3, tiers: ['ultra'], lowPriority: true }),
  'veo-3.1-fast': veo({ pro: 20, ultra: 10, referenceImages: 3 }),
  'veo-3.1-quality': veo({ pro: 100, ultra: 100, durations: [8], referenceImages: 0 }),
  'omni-flash': {
    family: 'omni',
    // The autumn 2026 prices (skills/omni-flash-video); 360p costs about half.
    credits: { '720p': sameForTiers({ 4: 7, 6: 10, 8: 12, 10: 15 }), '360p': sameForTiers({ 4: 4, 6: 5, 8: 6, 10: 7 }) },
    durations: [4, 6, 8, 10],
    aspectRatios: ['landscape', 'portrait'],
    resolutions: ['720p', '360p'],
    referenceImages: 7,
    frames: true,
    tiers: ACCOUNT_TIERS,
    ultraOnlyDurations: [],
    lowPriority: false,
  },
} as const satisfies Record<string, VideoModelSpec>;

export type VideoModel = keyof typeof VIDEO_MODELS;
export const VIDEO_MODEL_IDS = Object.keys(VIDEO_MODELS) as [VideoModel, ...VideoModel[]];
export const DEFAULT_VIDEO_MODEL: VideoModel = 'veo-3.1-fast';

/** Models upstream no longer serves, with what to ask for instead. */
export const RETIRED_VIDEO_MODELS: Readonly<Record<string, { replacement: VideoModel; why: string }>> = {
  'veo-3.1-fast-relaxed': { replacement: 'veo-3.1-lite-low-priority', why: 'Google Flow no longer serves it (gone from useapi.net in 2026)' },
};

export function isVideoModel(value: string): value is VideoModel {
  return Object.hasOwn(VIDEO_MODELS, value);
}

export function specOf(model: VideoModel): VideoModelSpec {
  return VIDEO_MODELS[model];
}

/** What a request asks of a model; `duration`/`resolution` absent means the upstream defaults. */
export interface ClipShape {
  model: VideoModel;
  duration?: Duration | undefined;
  resolution?: Resolution | undefined;
  count?: number | undefined;
}

/**
 * Credits one request costs on an account of `tier` (all its clips). Unknown combinations cost
 * the most the model ever costs, so a budget is never overrun by a gap in the table.
 */
export function creditsFor(shape: ClipShape, tier: AccountTier): number {
  const spec = specOf(shape.model);
  const perClip = spec.credits[shape.resolution ?? DEFAULT_RESOLUTION]?.[shape.duration ?? DEFAULT_DURATION]?.[tier] ?? maxCreditsOf(spec, tier);
  return perClip * (shape.count ?? 1);
}

function maxCreditsOf(spec: VideoModelSpec, tier: AccountTier): number {
  return Math.max(0, ...Object.values(spec.credits).flatMap((byDuration) => Object.values(byDuration ?? {}).map((c) => c[tier])));
}

/** The most a request may cost on any tier that can run it: what a budget reserves before the account is known. */
export function maxCreditsFor(shape: ClipShape): number {
  return Math.max(...tiersFor(shape).map((tier) => creditsFor(shape, tier)));
}

/** Tiers whose accounts may run this request (model and duration together). */
export function tiersFor(shape: ClipShape): AccountTier[] {
  const spec = specOf(shape.model);
  const ultraOnly = spec.ultraOnlyDurations.includes(shape.duration ?? DEFAULT_DURATION);
  return spec.tiers.filter((t) => !ultraOnly || t === 'ultra');
}
