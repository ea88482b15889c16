import { z } from 'zod';
import { DEFAULT_EXTEND_MODEL, DEFAULT_UPSCALE_RESOLUTION, UPSCALE_RESOLUTIONS, VIDEO_MODEL_IDS, canExtendWith, type VideoModel } from '@flowq/core';
import { callFields, checkCaptchaChoice, parseBody, type Parsed } from './validation';

/**
 * `POST /videos/upscale` and `POST /videos/extend` (2026 notes §4). Neither takes an `email`:
 * the mediaGenerationId names the account. A given `email` is checked against it all the same,
 * as useapi checks references against the named account.
 */

const source = z.string({ error: 'is required' }).trim().min(1, 'is required');
const EXTEND_MODELS = VIDEO_MODEL_IDS.filter(canExtendWith);

const upscaleSchema = z
  .object({
    mediaGenerationId: source,
    resolution: z.enum(UPSCALE_RESOLUTIONS, { error: `Supported values: ${UPSCALE_RESOLUTIONS.join(', ')}` }).default(DEFAULT_UPSCALE_RESOLUTION),
    email: z.email({ error: 'must be a valid email address' }).optional(),
    ...callFields,
  })
  .superRefine(checkCaptchaChoice);

const extendSchema = z
  .object({
    mediaGenerationId: source,
    prompt: z.string({ error: 'is required' }).trim().min(1, 'is required'),
    model: z
      .string({ error: 'must be a string' })
      .refine((m) => (EXTEND_MODELS as string[]).includes(m), { error: `Supported values: ${EXTEND_MODELS.join(', ')}` })
      .transform((m) => m as VideoModel)
      .default(DEFAULT_EXTEND_MODEL),
    count: z
      .number({ error: 'must be an integer from 1 to 4' })
      .int('must be an integer from 1 to 4')
      .min(1, 'must be an integer from 1 to 4')
      .max(4, 'must be an integer from 1 to 4')
      .default(1),
    seed: z.number({ error: 'must be an integer >= 0' }).int('must be an integer >= 0').min(0, 'must be an integer >= 0').optional(),
    email: z.email({ error: 'must be a valid email address' }).optional(),
    ...callFields,
  })
  .superRefine(checkCaptchaChoice);

export type UpscaleSubmit = z.output<typeof upscaleSchema>;
export type ExtendSubmit = z.output<typeof extendSchema>;

export function parseUpscaleSubmit(body: unknown): Parsed<UpscaleSubmit> {
  return parseBody(upscaleSchema, body);
}

export function parseExtendSubmit(body: unknown): Parsed<ExtendSubmit> {
  return parseBody(extendSchema, body);
}
