import { z } from 'zod';
import { imageInputField } from './image-input-field';
import {
  DEFAULT_IMAGE_ASPECT_RATIO,
  DEFAULT_IMAGE_MODEL,
  IMAGE_ASPECT_RATIOS,
  IMAGE_MODEL_ALIASES,
  IMAGE_MODEL_IDS,
  IMAGE_REFERENCE_FIELDS,
  MAX_IMAGE_COUNT,
  resolveImageModel,
  type ImageModel,
  type ImageReferenceField,
} from './image-model-catalog';
import { captchaFields, hasVisibleCharacter, type RuleViolation } from './video-request';

const ACCEPTED_MODELS = [...IMAGE_MODEL_IDS, ...Object.keys(IMAGE_MODEL_ALIASES)];
const mediaId = imageInputField;
const countMessage = `must be an integer from 1 to ${MAX_IMAGE_COUNT}`;

/**
 * The fields of an image job (useapi's `POST /images`). The model is stored as the model it
 * means: an alias (`imagen-4`, `nano-banana`) becomes its model at intake, so credits, limits
 * and exports see one name.
 */
export const imageRequestFields = z.object({
  prompt: z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'is required')
    .max(10_000, 'must be at most 10000 characters')
    .refine(hasVisibleCharacter, 'must contain a visible character'),
  model: z
    .string({ error: `must be one of ${ACCEPTED_MODELS.join(', ')}` })
    .refine((m) => resolveImageModel(m) !== null, `must be one of ${ACCEPTED_MODELS.join(', ')}`)
    .transform((m) => resolveImageModel(m) as ImageModel)
    .default(DEFAULT_IMAGE_MODEL),
  aspectRatio: z.enum(IMAGE_ASPECT_RATIOS, { error: `must be one of ${IMAGE_ASPECT_RATIOS.join(', ')}` }).default(DEFAULT_IMAGE_ASPECT_RATIO),
  count: z.number({ error: countMessage }).int(countMessage).min(1, countMessage).max(MAX_IMAGE_COUNT, countMessage).default(1),
  seed: z
    .number({ error: 'must be an integer >= 0' })
    .int('must be an integer >= 0')
    .min(0, 'must be an integer >= 0')
    .max(Number.MAX_SAFE_INTEGER, 'is too large')
    .optional(),
  email: z.email('must be an email address').optional(),
  ...(Object.fromEntries(IMAGE_REFERENCE_FIELDS.map((f) => [f, mediaId.optional()])) as Record<ImageReferenceField, z.ZodOptional<typeof mediaId>>),
  ...captchaFields,
});

export type ImageRequest = z.output<typeof imageRequestFields>;

/** The references an image request uses, in field order. */
export function imageReferencesOf(req: Partial<Record<ImageReferenceField, string | undefined>>): string[] {
  return IMAGE_REFERENCE_FIELDS.map((f) => req[f]).filter((v): v is string => v !== undefined);
}

/** Rules across fields: `auto` takes its ratio from a reference, so it needs one. */
export function imageRequestViolations(req: Pick<ImageRequest, 'aspectRatio'> & Partial<Record<ImageReferenceField, string | undefined>>): RuleViolation[] {
  if (req.aspectRatio === 'auto' && imageReferencesOf(req).length === 0) {
    return [{ field: 'aspectRatio', message: 'auto takes the ratio of a reference image, so it needs reference_1..10' }];
  }
  return [];
}

export const imageRequestSchema = imageRequestFields.superRefine((req, ctx) => {
  for (const v of imageRequestViolations(req)) ctx.addIssue({ code: 'custom', path: [v.field], message: v.message });
});
