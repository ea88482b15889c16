import { z } from 'zod';

/**
 * The contract between the API and the workers: each queue, its payload schema and options.
 * Payloads carry only the flowq job id; Postgres holds everything else, so a payload can
 * never disagree with the truth and Redis can be rebuilt from Postgres alone.
 */
export const GENERATE_QUEUE = 'generate';

export const generatePayload = z.object({
  jobId: z.string().min(1),
  /**
   * Written by a step that sleeps until the callback of this upstream job (with its delay, in the
   * same call), cleared by any other sleep: the woken step looks at the callback's hint first,
   * whose row may spare it the read (`hintedRow`). A hint, never the truth: absent, the row is read.
   */
  awaits: z.string().min(1).optional(),
});
export type GeneratePayload = z.infer<typeof generatePayload>;

/** Default client priority of a single job; batch rows get BATCH_PRIORITY. Higher runs sooner. */
export const INTERACTIVE_PRIORITY = 50;
export const BATCH_PRIORITY = 10;
export const MAX_PRIORITY = 100;

/** Batch rows that share one fair-share round (see bullPriority). */
export const ROWS_PER_ROUND = 10;
/** Rounds per client priority level: 101 levels x 20,000 (+ 2) stays under BullMQ's ceiling of 2,097,152. */
export const ROUNDS_PER_PRIORITY = 20_000;

/**
 * The BullMQ priority of a job. BullMQ runs the lowest number first, FIFO within a number;
 * flowq's clients say "higher is sooner" on a 0-100 scale. 1 is kept for FOLLOW_UP_PRIORITY. Each client level owns a band of
 * ROUNDS_PER_PRIORITY numbers: single jobs take the band's first number, and row r of a
 * batch takes round 1 + (r - 1) / ROWS_PER_ROUND. So at equal priority an interactive job
 * runs before any batch row, and the first ten rows of every waiting batch run before the
 * next ten of any of them: batches submitted together share the workers round-robin instead
 * of the second waiting for the whole first. Rows past the last round share it (FIFO).
 */
export function bullPriority(priority: number, batchRow?: number | null): number {
  const p = Math.min(MAX_PRIORITY, Math.max(0, Math.round(priority)));
  const round = batchRow == null || batchRow < 1 ? 0 : 1 + Math.min(ROUNDS_PER_PRIORITY - 2, Math.floor((batchRow - 1) / ROWS_PER_ROUND));
  // + 2: numbers start above FOLLOW_UP_PRIORITY, so a fresh job is never mistaken for a follow-up.
  return (MAX_PRIORITY - p) * ROUNDS_PER_PRIORITY + round + 2;
}

/**
 * BullMQ priority of a job's later steps (after its first look): ahead of every fresh job, so
 * results are confirmed and freed slots refilled at once even under a flood of new work. The
 * order among waiting jobs is kept by the waiting room, not by BullMQ.
 */
export const FOLLOW_UP_PRIORITY = 1;

/** A step on its first look: the job has never slept (every sleep moves it to FOLLOW_UP_PRIORITY). */
export function isFirstLook(priority: number | undefined): boolean {
  return priority !== FOLLOW_UP_PRIORITY;
}
