import { z } from 'zod';
import type { UpstreamJobRecord } from './job-record';

/** One entry of `media[]` of an image answer: `image.generatedImage{fifeUrl | encodedImage, mediaGenerationId}` (2026 notes §4). */
export const imageMediaEntrySchema = z.looseObject({
  name: z.string().nullish(),
  image: z
    .looseObject({
      generatedImage: z
        .looseObject({
          mediaGenerationId: z.string().nullish(),
          fifeUrl: z.string().nullish(),
          encodedImage: z.string().nullish(),
          seed: z.number().nullish(),
        })
        .nullish(),
    })
    .nullish(),
});
export type ImageMediaEntry = z.output<typeof imageMediaEntrySchema>;

/**
 * The 200 of `POST /images` (synchronous): `{ jobId, media[] }`, read into a completed image job
 * record so an answer and a later `GET /jobs/{jobid}` are read alike.
 */
export const imageAnswerSchema: z.ZodType<UpstreamJobRecord, unknown> = z
  .looseObject({ jobId: z.string().min(1).optional(), jobid: z.string().min(1).optional(), media: z.array(imageMediaEntrySchema) })
  .refine((b) => b.jobId !== undefined || b.jobid !== undefined, { message: 'jobId is missing' })
  .transform(
    (body): UpstreamJobRecord => ({
      jobid: (body.jobId ?? body.jobid)!,
      type: 'image',
      status: 'completed',
      request: {},
      response: { media: body.media },
    }),
  );
