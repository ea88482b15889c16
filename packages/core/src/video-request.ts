import { z } from 'zod';
import { ASPECT_RATIOS, DEFAULT_VIDEO_MODEL, VIDEO_MODEL_IDS, VIDEO_MODELS } from './models';

export const REFERENCE_IMAGE_FIELDS = ['referenceImage_1', 'referenceImage_2', 'referenceImage_3'] as const;
export const IMAGE_FIELDS = ['startImage', 'endImage', ...REFERENCE_IMAGE_FIELDS] as const;
export type ImageField = (typeof IMAGE_FIELDS)[number];

/**
 * Characters that show nothing: white space, control and format characters (U+200B zero-width
 * space, U+2060 word joiner, U+FEFF, bidi marks, tags), variation selectors, the Hangul fillers
 * and the blank Braille pattern. A prompt made only of these would be paid for and mean nothing.
 */
const INVISIBLE = /^[\p{White_Space}\p{Cc}\p{Cf}\p{Variation_Selector}\u115F\u1160\u3164\uFFA0\u2800]*$/u;

export function hasVisibleCharacter(text: string): boolean {
  return !INVISIBLE.test(text);
}

const mediaId = z.string().trim().min(1, 'must be a non-empty mediaGenerationId').max(512);

/**
 * The fields of useapi's `POST /videos` that a flowq client may set. `async`, `replyUrl`
 * and `replyRef` are flowq's own business and not accepted from clients.
 */
export const videoRequestFields = z.object({
  prompt: z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'is required')
    .max(10_000, 'must be at most 10000 characters')
    .refine(hasVisibleCharacter, 'must contain a visible character'),
  model: z.enum(VIDEO_MODEL_IDS, { error: `must be one of ${VIDEO_MODEL_IDS.join(', ')}` }).default(DEFAULT_VIDEO_MODEL),
  aspectRatio: z.enum(ASPECT_RATIOS, { error: `must be one of ${ASPECT_RATIOS.join(', ')}` }).default('landscape'),
  count: z
    .number({ error: 'must be an integer from 1 to 4' })
    .int('must be an integer from 1 to 4')
    .min(1, 'must be an integer from 1 to 4')
    .max(4, 'must be an integer from 1 to 4')
    .default(1),
  seed: z
    .number({ error: 'must be an integer >= 0' })
    .int('must be an integer >= 0')
    .min(0, 'must be an integer >= 0')
    .max(Number.MAX_SAFE_INTEGER, 'is too large')
    .optional(),
  email: z.email('must be an email address').optional(),
  startImage: mediaId.optional(),
  endImage: mediaId.optional(),
  referenceImage_1: mediaId.optional(),
  referenceImage_2: mediaId.optional(),
  referenceImage_3: mediaId.optional(),
});

export interface RuleViolation {
  field: string;
  message: string;
}

type VideoRequestShape = z.output<typeof videoRequestFields>;

/** The mode rules of the videos page, checked after the field types are right. */
export function videoModeViolations(req: VideoRequestShape): RuleViolation[] {
  const out: RuleViolation[] = [];
  const refs = REFERENCE_IMAGE_FIELDS.filter((f) => req[f] !== undefined);
  if (req.endImage !== undefined && req.startImage === undefined) {
    out.push({ field: 'endImage', message: 'requires startImage (end frame only is not supported)' });
  }
  if (refs.length > 0) {
    const first = refs[0]!;
    if (req.startImage !== undefined || req.endImage !== undefined) {
      out.push({ field: first, message: 'cannot be combined with startImage or endImage (R2V and I2V are exclusive)' });
    }
    if (!VIDEO_MODELS[req.model].referenceImages) {
      out.push({ field: first, message: `reference images only work with veo-3.1-fast and veo-3.1-fast-relaxed, not ${req.model}` });
    }
    if (req.aspectRatio !== 'landscape') {
      out.push({ field: first, message: 'reference images only support landscape aspect ratio' });
    }
  }
  return out;
}

export const videoRequestSchema = videoRequestFields.superRefine((req, ctx) => {
  for (const v of videoModeViolations(req)) {
    ctx.addIssue({ code: 'custom', path: [v.field], message: v.message });
  }
});

export type VideoRequest = z.output<typeof videoRequestSchema>;
export type VideoRequestInput = z.input<typeof videoRequestSchema>;

/** The images a request uses, in field order. */
export function imagesOf(req: VideoRequest): string[] {
  return IMAGE_FIELDS.map((f) => req[f]).filter((v): v is string => v !== undefined);
}
