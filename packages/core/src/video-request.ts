import { z } from 'zod';
import { imageInputField } from './image-input-field';
import {
  ASPECT_RATIOS,
  DEFAULT_DURATION,
  DEFAULT_RESOLUTION,
  DEFAULT_VIDEO_MODEL,
  DURATIONS,
  RESOLUTIONS,
  RETIRED_VIDEO_MODELS,
  VIDEO_MODEL_IDS,
  isVideoModel,
  specOf,
  type VideoModel,
} from './model-catalog';

export const REFERENCE_IMAGE_FIELDS = [
  'referenceImage_1',
  'referenceImage_2',
  'referenceImage_3',
  'referenceImage_4',
  'referenceImage_5',
  'referenceImage_6',
  'referenceImage_7',
] as const;
export const FRAME_FIELDS = ['startImage', 'endImage'] as const;
export const IMAGE_FIELDS = [...FRAME_FIELDS, ...REFERENCE_IMAGE_FIELDS] as const;
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

const mediaId = imageInputField;

const modelField = z
  .string({ error: `must be one of ${VIDEO_MODEL_IDS.join(', ')}` })
  .superRefine((m, ctx) => {
    if (isVideoModel(m)) return;
    const retired = RETIRED_VIDEO_MODELS[m];
    ctx.addIssue({
      code: 'custom',
      message: retired ? `${m} is retired: ${retired.why}; use ${retired.replacement} instead` : `must be one of ${VIDEO_MODEL_IDS.join(', ')}`,
    });
  })
  .transform((m) => m as VideoModel);

/**
 * The request's fields in groups, so a new kind of input (characters, voices, a reference
 * video) is one more group here, one more catalog column and one more rule below, not a rewrite.
 */
export const outputFields = {
  model: modelField.default(DEFAULT_VIDEO_MODEL),
  aspectRatio: z.enum(ASPECT_RATIOS, { error: `must be one of ${ASPECT_RATIOS.join(', ')}` }).default('landscape'),
  /** Seconds; absent means useapi's default, 8. */
  duration: z
    .union(
      DURATIONS.map((d) => z.literal(d)),
      { error: `must be one of ${DURATIONS.join(', ')} (seconds)` },
    )
    .optional(),
  /** Absent means useapi's default, 720p. */
  resolution: z.enum(RESOLUTIONS, { error: `must be one of ${RESOLUTIONS.join(', ')}` }).optional(),
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
};

export const imageFields = Object.fromEntries(IMAGE_FIELDS.map((f) => [f, mediaId.optional()])) as Record<ImageField, z.ZodOptional<typeof mediaId>>;

/**
 * The fields of useapi's `POST /videos` that a flowq client may set. `async`, `replyUrl`,
 * `replyRef` and the captcha options are flowq's own business and not accepted from clients.
 */
/** Per-request captcha options; the service's configured ones apply when a request gives none. useapi takes one of them. */
export const captchaFields = {
  captchaRetry: z
    .number({ error: 'must be an integer from 1 to 10' })
    .int('must be an integer from 1 to 10')
    .min(1, 'must be an integer from 1 to 10')
    .max(10, 'must be an integer from 1 to 10')
    .optional(),
  captchaOrder: z
    .string({ error: 'must be a comma list of captcha providers' })
    .trim()
    .min(1, 'must be a comma list of captcha providers')
    .max(200, 'must be at most 200 characters')
    .refine((s) => s.split(',').length <= 10, 'must name at most 10 providers')
    .optional(),
};

export const videoRequestFields = z.object({
  prompt: z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'is required')
    .max(10_000, 'must be at most 10000 characters')
    .refine(hasVisibleCharacter, 'must contain a visible character'),
  ...outputFields,
  email: z.email('must be an email address').optional(),
  ...imageFields,
  ...captchaFields,
});

export interface RuleViolation {
  field: string;
  message: string;
}

type VideoRequestShape = z.output<typeof videoRequestFields>;

/** One rule of the reference notes: the field it names when broken, and the check. */
interface RequestRule {
  name: string;
  check(req: VideoRequestShape): RuleViolation | null;
}

const referencesOf = (req: VideoRequestShape) => REFERENCE_IMAGE_FIELDS.filter((f) => req[f] !== undefined);
const hasFrames = (req: VideoRequestShape) => req.startImage !== undefined || req.endImage !== undefined;

/**
 * Every rule of `POST /videos` once the fields have the right types, in the order a reader of
 * the reference notes meets them. Each names one field. Rules that depend on the account
 * (a 4 or 6 s Veo clip needs Ultra) are the catalog's `tiersFor`, applied by the scheduler.
 */
export const VIDEO_REQUEST_RULES: readonly RequestRule[] = [
  {
    name: 'duration within the model',
    check: (req) => {
      const spec = specOf(req.model);
      const d = req.duration ?? DEFAULT_DURATION;
      if (spec.durations.includes(d)) return null;
      return { field: 'duration', message: `${req.model} takes ${spec.durations.join(', ')} s, not ${d} s${d === 10 ? ' (10 s is omni-flash only)' : ''}` };
    },
  },
  {
    name: 'resolution within the model',
    check: (req) => {
      const spec = specOf(req.model);
      const r = req.resolution ?? DEFAULT_RESOLUTION;
      if (spec.resolutions.includes(r)) return null;
      return {
        field: 'resolution',
        message: `${req.model} renders ${spec.resolutions.join(', ')}, not ${r}${r === '360p' ? ' (360p is omni-flash only)' : ''}`,
      };
    },
  },
  {
    name: 'aspect ratio within the model',
    check: (req) => {
      const spec = specOf(req.model);
      if (spec.aspectRatios.includes(req.aspectRatio)) return null;
      return { field: 'aspectRatio', message: `${req.model} takes ${spec.aspectRatios.join(', ')}, not ${req.aspectRatio}` };
    },
  },
  {
    name: 'end frame needs a start frame',
    check: (req) =>
      req.endImage !== undefined && req.startImage === undefined
        ? { field: 'endImage', message: 'requires startImage (end frame only is not supported)' }
        : null,
  },
  {
    name: 'frames on a model that takes them',
    check: (req) => (hasFrames(req) && !specOf(req.model).frames ? { field: 'startImage', message: `${req.model} takes no start or end frame` } : null),
  },
  {
    name: 'reference images within the model',
    check: (req) => {
      const max = specOf(req.model).referenceImages;
      // The slots are numbered: a model taking 3 takes referenceImage_1..3, whatever is filled.
      const over = referencesOf(req).find((f) => REFERENCE_IMAGE_FIELDS.indexOf(f) >= max);
      if (over === undefined) return null;
      return {
        field: over,
        message: max === 0 ? `${req.model} takes no reference images` : `${req.model} takes at most ${max} reference images (referenceImage_1..${max})`,
      };
    },
  },
  {
    name: 'reference images and frames are exclusive',
    check: (req) => {
      const [first] = referencesOf(req);
      return first && hasFrames(req) ? { field: first, message: 'cannot be combined with startImage or endImage (R2V and I2V are exclusive)' } : null;
    },
  },
  {
    name: 'one captcha option',
    check: (req) =>
      req.captchaRetry !== undefined && req.captchaOrder !== undefined ? { field: 'captchaOrder', message: 'cannot be combined with captchaRetry' } : null,
  },
  {
    name: 'reference images only at the durations R2V allows',
    check: (req) => {
      const allowed = specOf(req.model).referenceDurations;
      const d = req.duration ?? DEFAULT_DURATION;
      if (referencesOf(req).length === 0 || !allowed || allowed.includes(d)) return null;
      return { field: 'duration', message: `${req.model} with reference images (R2V) takes ${allowed.join(', ')} s only, not ${d} s` };
    },
  },
];

/** Every broken rule, each naming its field. */
export function videoModeViolations(req: VideoRequestShape): RuleViolation[] {
  // A model the catalog does not know was already refused by its field; no rule can judge it.
  if (!isVideoModel(req.model)) return [];
  return VIDEO_REQUEST_RULES.map((r) => r.check(req)).filter((v): v is RuleViolation => v !== null);
}

export const videoRequestSchema = videoRequestFields.superRefine((req, ctx) => {
  for (const v of videoModeViolations(req)) {
    ctx.addIssue({ code: 'custom', path: [v.field], message: v.message });
  }
});

export type VideoRequest = z.output<typeof videoRequestSchema>;
export type VideoRequestInput = z.input<typeof videoRequestSchema>;

/** The images a request uses, in field order. */
export function imagesOf(req: Partial<Record<ImageField, string | undefined>>): string[] {
  return IMAGE_FIELDS.map((f) => req[f]).filter((v): v is string => v !== undefined);
}
