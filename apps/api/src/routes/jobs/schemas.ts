import {
  CALLBACK_EVENTS,
  extendRequestFields,
  followUpViolations,
  thenField,
  imageRequestFields,
  imageRequestViolations,
  JOB_ERROR_CODES,
  JOB_KINDS,
  JOB_STATUSES,
  upscaleRequestFields,
  videoModeViolations,
  videoRequestFields,
} from '@flowq/core';
import { MAX_PRIORITY } from '@flowq/queue';
import { z } from 'zod';

/** A budget in credits: whole, 0 or more (0 allows only free models). */
export const maxCreditsField = z
  .number({ error: 'must be a whole number of credits, 0 or more' })
  .int('must be a whole number of credits, 0 or more')
  .min(0, 'must be a whole number of credits, 0 or more')
  .max(100_000_000, 'must be at most 100000000');

/** flowq's own fields of a job request, whatever its kind. */
const jobOptions = {
  priority: z
    .number({ error: `must be an integer from 0 to ${MAX_PRIORITY}` })
    .int(`must be an integer from 0 to ${MAX_PRIORITY}`)
    .min(0, `must be an integer from 0 to ${MAX_PRIORITY}`)
    .max(MAX_PRIORITY, `must be an integer from 0 to ${MAX_PRIORITY}`)
    .optional(),
  // The size first: it is cheap, and it bounds the element-by-element walk of z.json() after it.
  metadata: z
    .unknown()
    .refine((m) => m === undefined || (JSON.stringify(m)?.length ?? 0) <= 16_384, { message: 'must serialise to at most 16384 bytes of JSON', abort: true })
    .pipe(z.json())
    .optional(),
  callbackUrl: z.string({ error: 'must be an https URL' }).max(2_048, 'must be at most 2048 characters').optional(),
  maxCredits: maxCreditsField.optional(),
};

/** The kinds `POST /v1/jobs` accepts: only those that run end to end (request, worker step, result). */
export const ACCEPTED_JOB_KINDS = ['video', 'image', 'upscale', 'extend'] as const;
/** The kinds a batch row may be: every kind (an upscale or extend row names its source). */
export const BATCH_JOB_KINDS = ACCEPTED_JOB_KINDS;

export const createVideoJobBody = videoRequestFields
  .extend({
    kind: z.literal('video').optional().describe('What the job makes; default `video`'),
    // biome-ignore lint/suspicious/noThenProperty: the chain field is named `then` by the API (issue 12); an array is never a thenable
    then: thenField.optional().describe('Follow-ups (upscale, extend) made for each clip once the generation succeeds, on the same account'),
    ...jobOptions,
  })
  .strict()
  .superRefine((req, ctx) => {
    for (const v of [...videoModeViolations(req), ...followUpViolations(req)])
      ctx.addIssue({ code: 'custom', path: v.field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: v.message });
  })
  .meta({ id: 'CreateVideoJobRequest' });

export const createImageJobBody = imageRequestFields
  .extend({ kind: z.literal('image'), ...jobOptions })
  .strict()
  .superRefine((req, ctx) => {
    for (const v of imageRequestViolations(req)) ctx.addIssue({ code: 'custom', path: [v.field], message: v.message });
  })
  .meta({ id: 'CreateImageJobRequest' });

export const createUpscaleJobBody = upscaleRequestFields
  .extend({ kind: z.literal('upscale'), ...jobOptions })
  .strict()
  .meta({ id: 'CreateUpscaleJobRequest' });

export const createExtendJobBody = extendRequestFields
  .extend({ kind: z.literal('extend'), ...jobOptions })
  .strict()
  .meta({ id: 'CreateExtendJobRequest' });

export const createJobBody = z
  .discriminatedUnion('kind', [createVideoJobBody, createImageJobBody, createUpscaleJobBody, createExtendJobBody], {
    error: `must be one of ${ACCEPTED_JOB_KINDS.join(', ')}`,
  })
  .meta({ id: 'CreateJobRequest' });

export const videoSchema = z
  .object({
    url: z.string().nullable().describe("flowq's permanent address once archived (send the API key), useapi's link when not archived, null once expired"),
    thumbnailUrl: z.string().nullable(),
    downloadUrl: z.string().nullable().describe('`url` signed to open without a key until it expires (MEDIA_LINK_TTL_SECONDS)'),
    thumbnailDownloadUrl: z.string().nullable(),
    upstreamUrl: z.string().describe("useapi's own link; it dies about 6 hours after the job completed"),
    upstreamThumbnailUrl: z.string().nullable(),
    upstreamExpiresAt: z.string().nullable(),
    sha256: z.string().nullable().describe('Of the archived video'),
    bytes: z.number().nullable(),
    archive: z.object({ status: z.enum(['pending', 'archived', 'failed', 'expired', 'off']), error: z.string().optional() }),
    seed: z.number().nullable(),
    mediaGenerationId: z.string().nullable(),
    status: z.enum(['succeeded', 'failed']),
  })
  .meta({ id: 'Video' });

export const imageSchema = z
  .object({
    url: z
      .string()
      .nullable()
      .describe(
        "flowq's permanent address once archived (`/v1/media/<job>/image-<n>.jpg|png|webp`, send the API key), useapi's link when not archived, null once expired",
      ),
    downloadUrl: z.string().nullable().describe('`url` signed to open without a key until it expires (MEDIA_LINK_TTL_SECONDS)'),
    upstreamUrl: z.string().describe("useapi's own link; it dies about 6 hours after the job completed"),
    upstreamExpiresAt: z.string().nullable(),
    sha256: z.string().nullable().describe('Of the archived image'),
    bytes: z.number().nullable(),
    archive: z.object({ status: z.enum(['pending', 'archived', 'failed', 'expired', 'off']), error: z.string().optional() }),
    seed: z.number().nullable(),
    mediaGenerationId: z.string().nullable(),
  })
  .meta({ id: 'Image' });

export const jobSchema = z
  .object({
    id: z.string(),
    kind: z.enum(JOB_KINDS),
    followUps: z.array(z.string()).optional().describe("The jobs this job's chain (`then`) created once it succeeded (GET /v1/jobs/:id)"),
    status: z.enum(JOB_STATUSES),
    request: z.record(z.string(), z.unknown()),
    priority: z.number(),
    metadata: z.unknown().optional(),
    batchId: z.string().nullable(),
    account: z.string().nullable(),
    upstreamJobId: z.string().nullable(),
    attempts: z.number(),
    callbackUrl: z.string().nullable().optional(),
    result: z
      .object({
        videos: z.array(videoSchema).describe('Empty for an image job'),
        images: z.array(imageSchema).optional().describe('Only for an image job'),
        remainingCredits: z.number().nullable().optional(),
      })
      .nullable(),
    /** Credits the generation cost, at the tier of the account that made it; null until it succeeded. */
    credits: z.number().nullable(),
    maxCredits: z.number().nullable().describe('The job budget: it is never submitted to an account where it costs more (null: none)'),
    error: z.object({ code: z.enum(JOB_ERROR_CODES), message: z.string() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .meta({ id: 'Job' });

export const errorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), field: z.string().optional(), issues: z.array(z.unknown()).optional() }),
  })
  .meta({ id: 'Error' });

export const jobBudgetBody = z.object({ maxCredits: maxCreditsField.nullable() }).strict().meta({ id: 'JobBudget' });

export const jobIdParams = z.object({ id: z.string().min(1).max(64) });

export const listJobsQuery = z.object({
  status: z.enum(JOB_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(64).optional(),
});

export const jobListSchema = z.object({ items: z.array(jobSchema), nextCursor: z.string().nullable() }).meta({ id: 'JobList' });

const callbackAttemptSchema = z.object({
  attempt: z.number(),
  at: z.string(),
  statusCode: z.number().nullable(),
  error: z.string().nullable(),
  durationMs: z.number(),
});

export const callbackDeliverySchema = z
  .object({
    id: z.string().describe('Flowq-Delivery-Id: the same on every attempt of one event'),
    event: z.enum(CALLBACK_EVENTS),
    url: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number(),
    nextAttemptAt: z.string().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
    attemptLog: z.array(callbackAttemptSchema),
  })
  .meta({ id: 'CallbackDelivery' });

export const callbackDeliveryListSchema = z.object({ items: z.array(callbackDeliverySchema) }).meta({ id: 'CallbackDeliveryList' });
