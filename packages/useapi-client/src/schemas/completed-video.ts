import { z } from 'zod';

const mediaIdField = z.union([z.string(), z.looseObject({ mediaGenerationId: z.string() })]);

/** One clip in the videos page's shape (Nov 2025). A failed clip may lack `metadata`. */
export const operationEntrySchema = z.looseObject({
  operation: z
    .looseObject({
      name: z.string().optional(),
      metadata: z
        .looseObject({
          video: z
            .looseObject({
              seed: z.number().optional(),
              mediaGenerationId: z.string().optional(),
              fifeUrl: z.string().optional(),
              servingBaseUri: z.string().optional(),
            })
            .optional(),
        })
        .optional(),
    })
    .optional(),
  sceneId: z.string().optional(),
  mediaGenerationId: z.string().optional(),
  status: z.string().optional(),
});
export type OperationEntry = z.output<typeof operationEntrySchema>;

/** One clip in the newer shape (2026 docs). */
export const mediaEntrySchema = z.looseObject({
  mediaGenerationId: mediaIdField.optional(),
  videoUrl: z.string().optional(),
  thumbnailUrl: z.string().optional(),
  video: z.looseObject({ generatedVideo: z.looseObject({ seed: z.number().optional() }).optional() }).optional(),
  mediaMetadata: z
    .looseObject({
      mediaStatus: z.looseObject({ mediaGenerationStatus: z.string().optional() }).optional(),
    })
    .optional(),
});
export type MediaEntry = z.output<typeof mediaEntrySchema>;

const remainingCredits = z.number().nullable().optional();

/** The `response` of a completed video job, in either shape. */
export const operationsResponseSchema = z.looseObject({ operations: z.array(operationEntrySchema), remainingCredits });
export const mediaResponseSchema = z.looseObject({ media: z.array(mediaEntrySchema), remainingCredits });
export const completedVideoResponseSchema = z.union([operationsResponseSchema, mediaResponseSchema]);
export type CompletedVideoResponse = z.output<typeof completedVideoResponseSchema>;
