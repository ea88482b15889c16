import { z } from 'zod';
import { ASPECT_RATIOS, DEFAULT_VIDEO_MODEL, REFERENCE_IMAGE_FIELDS, IMAGE_FIELDS, VIDEO_MODEL_IDS, VIDEO_MODELS, type VideoModel } from '@flowq/core';
import type { AccountTier } from './options';

/**
 * `POST /videos` body rules, with messages in the style of useapi's videos page. Pure: the
 * route turns a `{ error }` into a 400. Rules are checked in the order a reader of the page
 * would list them, and the first broken one is reported, as useapi does.
 */

const imageId = (field: string) =>
  z
    .string({ error: `${field} must be a mediaGenerationId string` })
    .trim()
    .min(1, `${field} must be a mediaGenerationId string`);

const REFERENCE_MODELS = VIDEO_MODEL_IDS.filter((m) => VIDEO_MODELS[m].referenceImages);

const submitSchema = z.object({
  prompt: z.string({ error: 'prompt is required' }).trim().min(1, 'prompt is required'),
  model: z
    .string({ error: 'model must be a string' })
    .refine((m) => VIDEO_MODEL_IDS.includes(m as VideoModel), {
      error: (issue) => `Invalid model ${String(issue.input)}. Supported values: ${VIDEO_MODEL_IDS.join(', ')}`,
    })
    .transform((m) => m as VideoModel)
    .default(DEFAULT_VIDEO_MODEL),
  aspectRatio: z.enum(ASPECT_RATIOS, { error: `Invalid aspectRatio. Supported values: ${ASPECT_RATIOS.join(', ')}` }).default('landscape'),
  count: z
    .number({ error: 'count must be an integer between 1 and 4' })
    .int('count must be an integer between 1 and 4')
    .min(1, 'count must be an integer between 1 and 4')
    .max(4, 'count must be an integer between 1 and 4')
    .default(1),
  seed: z
    .number({ error: 'seed must be an integer >= 0' })
    .int('seed must be an integer >= 0')
    .min(0, 'seed must be an integer >= 0')
    .max(Number.MAX_SAFE_INTEGER, 'seed must be an integer >= 0')
    .optional(),
  email: z.email({ error: 'email must be a valid email address' }).optional(),
  startImage: imageId('startImage').optional(),
  endImage: imageId('endImage').optional(),
  referenceImage_1: imageId('referenceImage_1').optional(),
  referenceImage_2: imageId('referenceImage_2').optional(),
  referenceImage_3: imageId('referenceImage_3').optional(),
  async: z.boolean({ error: 'async must be a boolean' }).default(false),
  replyUrl: z
    .url({ protocol: /^https?$/, error: 'replyUrl must be an http(s) URL' })
    .max(1024, 'replyUrl must be at most 1024 characters')
    .optional(),
  replyRef: z.string({ error: 'replyRef must be a string' }).max(1024, 'replyRef must be at most 1024 characters').optional(),
});

export type VideoSubmit = z.output<typeof submitSchema>;

export const MODE_MESSAGES = {
  endWithoutStart: 'End frame only (endImage without startImage) is not supported',
  r2vWithFrames: 'Cannot use both reference images (R2V) and start/end frames (I2V) in the same request',
  r2vLandscapeOnly: 'Reference-to-video only supports landscape aspect ratio',
  r2vModel: `Reference-to-video only supports ${REFERENCE_MODELS.join(' and ')} models`,
  ultraOnly: (model: string) => `Model ${model} is only available for Google AI Ultra subscriptions`,
} as const;

/** The mode rules of the videos page, once the fields have the right types. */
export function modeViolation(req: VideoSubmit): string | null {
  const hasRefs = REFERENCE_IMAGE_FIELDS.some((f) => req[f] !== undefined);
  if (req.endImage !== undefined && req.startImage === undefined) return MODE_MESSAGES.endWithoutStart;
  if (!hasRefs) return null;
  if (req.startImage !== undefined || req.endImage !== undefined) return MODE_MESSAGES.r2vWithFrames;
  if (req.aspectRatio !== 'landscape') return MODE_MESSAGES.r2vLandscapeOnly;
  if (!VIDEO_MODELS[req.model].referenceImages) return MODE_MESSAGES.r2vModel;
  return null;
}

export function parseVideoSubmit(body: unknown): { ok: true; request: VideoSubmit } | { ok: false; error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: 'Request body must be a JSON object' };
  }
  const parsed = submitSchema.safeParse(body);
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]?.message ?? 'Invalid request' };
  const violation = modeViolation(parsed.data);
  return violation === null ? { ok: true, request: parsed.data } : { ok: false, error: violation };
}

/** Relaxed mode is an Ultra perk; the check needs the account, so it runs after the account is known. */
export function tierViolation(model: VideoModel, tier: AccountTier): string | null {
  return VIDEO_MODELS[model].ultraOnly && tier !== 'ultra' ? MODE_MESSAGES.ultraOnly(model) : null;
}

/** The images a request names, in field order. */
export function imagesOf(req: VideoSubmit): string[] {
  return IMAGE_FIELDS.map((f) => req[f]).filter((v): v is string => v !== undefined);
}

/** Which Veo variant Google reports in `metadata.video.model`. */
export function veoVariantOf(req: VideoSubmit): string {
  if (REFERENCE_IMAGE_FIELDS.some((f) => req[f] !== undefined)) return 'veo_3_0_r2v';
  if (req.endImage !== undefined) return 'veo_3_1_i2v_fl';
  if (req.startImage !== undefined) return 'veo_3_1_i2v';
  return 'veo_3_1_t2v';
}
