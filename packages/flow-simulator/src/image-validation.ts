import { z } from 'zod';
import {
  DEFAULT_IMAGE_ASPECT_RATIO,
  DEFAULT_IMAGE_MODEL,
  IMAGE_ASPECT_RATIOS,
  IMAGE_MODEL_IDS,
  IMAGE_MODEL_ALIASES,
  IMAGE_REFERENCE_FIELDS,
  MAX_IMAGE_COUNT,
  resolveImageModel,
  type ImageModel,
} from '@flowq/core';
import { callFields, checkCaptchaChoice, parseBody, type Parsed } from './validation';

/**
 * `POST /images` body rules of the 2026 notes (§4): a prompt, a Nano Banana model or one of
 * useapi's aliases, `count` 1-4, `seed`, `aspectRatio` (`auto` only with a reference),
 * `reference_1..10`. The default `count` is not documented; the simulator takes 1.
 */

const mediaId = z.string({ error: 'must be a mediaGenerationId' }).trim().min(1, 'must be a non-empty mediaGenerationId');
const referenceFields = Object.fromEntries(IMAGE_REFERENCE_FIELDS.map((f) => [f, mediaId.optional()])) as Record<
  (typeof IMAGE_REFERENCE_FIELDS)[number],
  z.ZodOptional<typeof mediaId>
>;
const ACCEPTED_MODELS = [...IMAGE_MODEL_IDS, ...Object.keys(IMAGE_MODEL_ALIASES)];

const imageSchema = z
  .object({
    prompt: z.string({ error: 'is required' }).trim().min(1, 'is required'),
    model: z
      .string({ error: 'must be a string' })
      .refine((m) => resolveImageModel(m) !== null, { error: `Supported values: ${ACCEPTED_MODELS.join(', ')}` })
      .default(DEFAULT_IMAGE_MODEL),
    aspectRatio: z.enum(IMAGE_ASPECT_RATIOS, { error: `Supported values: ${IMAGE_ASPECT_RATIOS.join(', ')}` }).default(DEFAULT_IMAGE_ASPECT_RATIO),
    count: z
      .number({ error: `must be an integer from 1 to ${MAX_IMAGE_COUNT}` })
      .int(`must be an integer from 1 to ${MAX_IMAGE_COUNT}`)
      .min(1, `must be an integer from 1 to ${MAX_IMAGE_COUNT}`)
      .max(MAX_IMAGE_COUNT, `must be an integer from 1 to ${MAX_IMAGE_COUNT}`)
      .default(1),
    seed: z.number({ error: 'must be an integer >= 0' }).int('must be an integer >= 0').min(0, 'must be an integer >= 0').optional(),
    email: z.email({ error: 'must be a valid email address' }).optional(),
    ...referenceFields,
    ...callFields,
  })
  .superRefine((req, ctx) => {
    checkCaptchaChoice(req, ctx);
    if (req.aspectRatio === 'auto' && referencesOf(req).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['aspectRatio'], message: 'auto requires at least one reference image' });
    }
  });

type ParsedImage = z.output<typeof imageSchema>;
/** The request with its model resolved: aliases are echoed by useapi as the model they stand for. */
export type ImageSubmit = Omit<ParsedImage, 'model'> & { model: ImageModel; requestedModel: string };

export function parseImageSubmit(body: unknown): Parsed<ImageSubmit> {
  const parsed = parseBody(imageSchema, body);
  if (!parsed.ok) return parsed;
  return { ok: true, request: { ...parsed.request, model: resolveImageModel(parsed.request.model)!, requestedModel: parsed.request.model } };
}

/** The references a request names, in field order. */
export function referencesOf(req: Partial<Record<(typeof IMAGE_REFERENCE_FIELDS)[number], string | undefined>>): string[] {
  return IMAGE_REFERENCE_FIELDS.map((f) => req[f]).filter((v): v is string => v !== undefined);
}
