import { z } from 'zod';

/** The 200 of `POST /assets/{email}`, read down to what a video request needs. */
export interface UploadedAsset {
  /** Use as `startImage`, `endImage` or `referenceImage_N`. */
  mediaGenerationId: string;
  width?: number;
  height?: number;
  email?: string;
}

export const uploadedAssetSchema: z.ZodType<UploadedAsset, unknown> = z
  .looseObject({
    // Documented as `{ mediaGenerationId: { mediaGenerationId } }`; a flat string is tolerated.
    mediaGenerationId: z.union([z.string().min(1), z.looseObject({ mediaGenerationId: z.string().min(1) })]),
    width: z.number().nullish(),
    height: z.number().nullish(),
    email: z.string().nullish(),
  })
  .transform((b) => {
    const out: UploadedAsset = {
      mediaGenerationId: typeof b.mediaGenerationId === 'string' ? b.mediaGenerationId : b.mediaGenerationId.mediaGenerationId,
    };
    if (typeof b.width === 'number') out.width = b.width;
    if (typeof b.height === 'number') out.height = b.height;
    if (typeof b.email === 'string') out.email = b.email;
    return out;
  });
