import { z } from 'zod';
import { VIDEO_MODEL_IDS, type VideoModel } from './model-catalog';
import { canExtendWith, DEFAULT_EXTEND_MODEL, DEFAULT_UPSCALE_RESOLUTION, UPSCALE_RESOLUTIONS } from './video-edit-catalog';
import { captchaFields, hasVisibleCharacter } from './video-request';

/**
 * The video an upscale or extend starts from: a clip of a flowq job (`jobId`, and `clip`, the
 * index of the clip in its `result.videos`, default 0) or a mediaGenerationId made elsewhere on
 * one of the pool's accounts.
 */
export type VideoSource = { jobId: string; clip: number } | { mediaGenerationId: string };

export const videoSourceField = z
  .object(
    {
      jobId: z.string({ error: 'must be a job id' }).trim().min(1, 'must be a job id').max(64, 'must be a job id').optional(),
      clip: z
        .number({ error: 'must be an integer from 0 to 3' })
        .int('must be an integer from 0 to 3')
        .min(0, 'must be an integer from 0 to 3')
        .max(3, 'must be an integer from 0 to 3')
        .optional(),
      mediaGenerationId: z.string({ error: 'must be a mediaGenerationId' }).trim().min(1, 'must be a mediaGenerationId').max(512, 'is too long').optional(),
    },
    { error: 'must be { jobId, clip } or { mediaGenerationId }' },
  )
  .strict()
  .superRefine((s, ctx) => {
    const forms = (s.jobId !== undefined ? 1 : 0) + (s.mediaGenerationId !== undefined ? 1 : 0);
    if (forms !== 1) ctx.addIssue({ code: 'custom', message: 'must be { jobId, clip } or { mediaGenerationId }, one of the two' });
    if (s.mediaGenerationId !== undefined && s.clip !== undefined)
      ctx.addIssue({ code: 'custom', path: ['clip'], message: 'goes with jobId, not mediaGenerationId' });
  })
  .transform((s): VideoSource => (s.jobId !== undefined ? { jobId: s.jobId, clip: s.clip ?? 0 } : { mediaGenerationId: s.mediaGenerationId! }));

const EXTEND_MODELS = VIDEO_MODEL_IDS.filter(canExtendWith);

/** An upscale job: 1080p (free) or 4K (50 credits, Ultra accounts only). */
export const upscaleRequestFields = z.object({
  source: videoSourceField,
  resolution: z.enum(UPSCALE_RESOLUTIONS, { error: `must be one of ${UPSCALE_RESOLUTIONS.join(', ')}` }).default(DEFAULT_UPSCALE_RESOLUTION),
  ...captchaFields,
});

/** An extend job: 8 s more of a Veo clip, from a prompt, with a Veo model. */
export const extendRequestFields = z.object({
  source: videoSourceField,
  prompt: z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'is required')
    .max(10_000, 'must be at most 10000 characters')
    .refine(hasVisibleCharacter, 'must contain a visible character'),
  model: z
    .string({ error: `must be one of ${EXTEND_MODELS.join(', ')}` })
    .refine((m) => (EXTEND_MODELS as string[]).includes(m), `must be one of ${EXTEND_MODELS.join(', ')} (only Veo extends)`)
    .transform((m) => m as VideoModel)
    .default(DEFAULT_EXTEND_MODEL),
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
  ...captchaFields,
});

export type UpscaleRequest = z.output<typeof upscaleRequestFields>;
export type ExtendRequest = z.output<typeof extendRequestFields>;

/** A source as stored on a job: resolved at intake to the clip's mediaGenerationId (a jobId source keeps its job and clip). */
export type ResolvedVideoSource = { jobId?: string; clip?: number; mediaGenerationId: string };

/** The mediaGenerationId an upscale or extend acts on, once its source is resolved. */
export function sourceMediaIdOf(request: { source: VideoSource | ResolvedVideoSource }): string | null {
  return 'mediaGenerationId' in request.source && request.source.mediaGenerationId ? request.source.mediaGenerationId : null;
}
