/**
 * The Google Flow image models flowq knows (useapi.net `POST /images`, 2026 notes §4). Images
 * cost no credits on any plan, even a free one; what limits them is how many run at once on an
 * account (useapi: "3 to 20 parallel"), which is the scheduler's business, not the catalog's.
 */

export const IMAGE_MODEL_IDS = ['nano-banana-2-lite', 'nano-banana-2', 'nano-banana-pro'] as const;
export type ImageModel = (typeof IMAGE_MODEL_IDS)[number];
export const DEFAULT_IMAGE_MODEL: ImageModel = 'nano-banana-2-lite';

/**
 * Names useapi still accepts for a model. `imagen-4` became 2-lite when Google removed Imagen
 * from Flow (July 2026); `nano-banana` is the first model's name for nano-banana-2.
 */
export const IMAGE_MODEL_ALIASES: Readonly<Record<string, ImageModel>> = {
  'imagen-4': 'nano-banana-2-lite',
  'nano-banana': 'nano-banana-2',
};

/**
 * The notes name `16:9` (default) and `auto` (only with a reference image, the output follows
 * it); the other ratios are those Flow's image tool offers, assumed to pass through useapi.
 */
export const IMAGE_ASPECT_RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', 'auto'] as const;
export type ImageAspectRatio = (typeof IMAGE_ASPECT_RATIOS)[number];
export const DEFAULT_IMAGE_ASPECT_RATIO: ImageAspectRatio = '16:9';

export const IMAGE_REFERENCE_FIELDS = [
  'reference_1',
  'reference_2',
  'reference_3',
  'reference_4',
  'reference_5',
  'reference_6',
  'reference_7',
  'reference_8',
  'reference_9',
  'reference_10',
] as const;
export type ImageReferenceField = (typeof IMAGE_REFERENCE_FIELDS)[number];

export const MAX_IMAGE_COUNT = 4;

export function isImageModel(value: string): value is ImageModel {
  return (IMAGE_MODEL_IDS as readonly string[]).includes(value);
}

/** The model a name means (its own id or an alias), or null for a name useapi does not take. */
export function resolveImageModel(name: string): ImageModel | null {
  if (isImageModel(name)) return name;
  return Object.hasOwn(IMAGE_MODEL_ALIASES, name) ? IMAGE_MODEL_ALIASES[name]! : null;
}

/** Every image model costs 0 credits on every plan (2026 notes: "Free accounts work; 0 credits"). */
export function imageCreditsFor(_request: { model: ImageModel; count?: number | undefined }): number {
  return 0;
}
