import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { bullPriority, GENERATE_QUEUE, type GeneratePayload } from './catalog';

export type GenerateQueue = Queue<GeneratePayload, void, 'generate'>;

export function createGenerateQueue(connection: Redis, prefix: string): GenerateQueue {
  return new Queue<GeneratePayload, void, 'generate'>(GENERATE_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      // Unexpected errors (a dropped database connection, a bug) are retried by BullMQ;
      // upstream answers are handled by the processor itself and never reach this budget.
      attempts: 25,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
}

/** Queue a flowq job. The BullMQ job id is the flowq id, so queueing twice is harmless. */
export async function enqueueGenerate(queue: GenerateQueue, jobId: string, priority: number, delayMs = 0, batchRow?: number | null): Promise<void> {
  await queue.add('generate', { jobId }, { jobId, priority: bullPriority(priority, batchRow), ...(delayMs > 0 ? { delay: delayMs } : {}) });
}

/** Queue many jobs in one round trip; batch rows pass `batchRow` for their fair-share round. */
export async function enqueueGenerateBulk(queue: GenerateQueue, jobs: { id: string; priority: number; batchRow?: number | null }[]): Promise<void> {
  if (jobs.length === 0) return;
  await queue.addBulk(
    jobs.map((j) => ({ name: 'generate' as const, data: { jobId: j.id }, opts: { jobId: j.id, priority: bullPriority(j.priority, j.batchRow) } })),
  );
}
