import { z } from 'zod';

/** The schema of every image field of a job request (video frames and references, image references). */
export const imageInputField = z
  .string()
  .trim()
  .min(1, 'must be an img_ id, an image URL or a mediaGenerationId')
  .max(2_048, 'must be at most 2048 characters')
  .describe(
    'An image: an `img_` id from POST /v1/images, an https:// URL (fetched once when the job is created; plain http only for SSRF_ALLOWLIST hosts), or a useapi mediaGenerationId (which pins the job to the account that holds it)',
  );
