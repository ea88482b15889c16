import { z } from 'zod';

/**
 * The contract between the API and the workers: each queue, its payload schema and options.
 * Payloads carry only the flowq job id; Postgres holds everything else, so a payload can
 * never disagree with the truth and Redis can be rebuilt from Postgres alone.
 */
export const GENERATE_QUEUE = 'generate';

export const generatePayload = z.object({ jobId: z.string().min(1) });
export type GeneratePayload = z.infer<typeof generatePayload>;

/** Default client priority of a single job; batch rows get BATCH_PRIORITY. Higher runs sooner. */
export const INTERACTIVE_PRIORITY = 50;
export const BATCH_PRIORITY = 10;
export const MAX_PRIORITY = 100;

/** BullMQ runs priority 1 first; flowq's clients say "higher is sooner" on a 0-100 scale. */
export function bullPriority(priority: number): number {
  const p = Math.min(MAX_PRIORITY, Math.max(0, Math.round(priority)));
  return MAX_PRIORITY + 1 - p;
}
