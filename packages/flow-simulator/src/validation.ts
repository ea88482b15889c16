import { z } from 'zod';
import {
  DEFAULT_DURATION,
  imageFields,
  IMAGE_FIELDS,
  outputFields,
  REFERENCE_IMAGE_FIELDS,
  tiersFor,
  videoModeViolations,
  VIDEO_MODEL_IDS,
  type VideoModel,
} from '@flowq/core';
import type { AccountTier } from './options';

/**
 * `POST /videos` body rules of the 2026 reference notes. The field types and the mode rules are
 * the catalog's (packages/core), so the simulator refuses exactly what the notes say useapi
 * refuses; the messages are in useapi's style (`{ error: "..." }`, the first broken rule).
 */

const CAPTCHA_PROVIDERS = ['CapSolver', 'AntiCaptcha', 'YesCaptcha', 'SolveCaptcha', '2Captcha', 'EzCaptcha'] as const;

/** The fields every captcha-backed endpoint shares: how to answer, and which captcha to use. */
export const callFields = {
  async: z.boolean({ error: 'must be a boolean' }).default(false),
  replyUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(1024, 'must be at most 1024 characters')
    .optional(),
  replyRef: z.string({ error: 'must be a string' }).max(1024, 'must be at most 1024 characters').optional(),
  captchaToken: z.string().min(1).optional(),
  captchaRetry: z.number().int().min(1, 'must be an integer from 1 to 10').max(10, 'must be an integer from 1 to 10').optional(),
  captchaOrder: z
    .string()
    .refine(
      (text) => {
        const names = text.split(',').map((n) => n.trim());
        return names.length <= 10 && names.every((n) => (CAPTCHA_PROVIDERS as readonly string[]).includes(n));
      },
      `must be a comma list of up to 10 of ${CAPTCHA_PROVIDERS.join(', ')}`,
    )
    .optional(),
};

/** useapi takes one of captchaToken, captchaRetry, captchaOrder. */
export function checkCaptchaChoice(req: { captchaToken?: string; captchaRetry?: number; captchaOrder?: string }, ctx: z.RefinementCtx): void {
  const given = (['captchaToken', 'captchaRetry', 'captchaOrder'] as const).filter((f) => req[f] !== undefined);
  if (given.length > 1) ctx.addIssue({ code: 'custom', path: [given[1]!], message: `cannot be combined with ${given[0]}` });
}

const submitSchema = z
  .object({
    prompt: z.string({ error: 'is required' }).trim().min(1, 'is required'),
    ...outputFields,
    model: z
      .string({ error: 'must be a string' })
      .refine((m) => VIDEO_MODEL_IDS.includes(m as VideoModel), { error: `Supported values: ${VIDEO_MODEL_IDS.join(', ')}` })
      .transform((m) => m as VideoModel)
      .default('veo-3.1-fast'),
    email: z.email({ error: 'must be a valid email address' }).optional(),
    ...imageFields,
    ...callFields,
  })
  .superRefine((req, ctx) => {
    checkCaptchaChoice(req, ctx);
    for (const v of videoModeViolations(req)) ctx.addIssue({ code: 'custom', path: [v.field], message: v.message });
  });

export type VideoSubmit = z.output<typeof submitSchema>;

export type Parsed<T> = { ok: true; request: T } | { ok: false; error: string };

/** A body checked against `schema`, or useapi's message for its first broken rule. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): Parsed<z.output<S>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: 'Request body must be a JSON object' };
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, request: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  return { ok: false, error: field ? `Invalid ${field}: ${issue?.message}` : (issue?.message ?? 'Invalid request') };
}

export function parseVideoSubmit(body: unknown): Parsed<VideoSubmit> {
  return parseBody(submitSchema, body);
}

export const ULTRA_DURATION_MESSAGE = (seconds: number) => `${seconds} second Veo videos are only available for Google AI Ultra subscriptions`;

/**
 * Veo's 4 and 6 s clips on a non-Ultra account; checked once the account is known. (A model the
 * plan lacks altogether is the account's model list: 403 MODEL_ACCESS_DENIED.)
 */
export function tierViolation(req: Pick<VideoSubmit, 'model' | 'duration'>, tier: AccountTier): string | null {
  return tiersFor({ model: req.model }).includes(tier) && !tiersFor(req).includes(tier) ? ULTRA_DURATION_MESSAGE(req.duration ?? DEFAULT_DURATION) : null;
}

/** The images a request names, in field order. */
export function imagesOf(req: VideoSubmit): string[] {
  return IMAGE_FIELDS.map((f) => req[f]).filter((v): v is string => v !== undefined);
}

/** Which variant Google reports in `metadata.video.model`. */
export function veoVariantOf(req: VideoSubmit): string {
  if (req.model === 'omni-flash') return REFERENCE_IMAGE_FIELDS.some((f) => req[f] !== undefined) ? 'omni_flash_r2v' : 'omni_flash_t2v';
  if (REFERENCE_IMAGE_FIELDS.some((f) => req[f] !== undefined)) return 'veo_3_0_r2v';
  if (req.endImage !== undefined) return 'veo_3_1_i2v_fl';
  if (req.startImage !== undefined) return 'veo_3_1_i2v';
  return 'veo_3_1_t2v';
}
