import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * Copying a finished job's files into the media store: its own queue and workers, so a slow
 * download never holds an account slot nor a generate worker's slot. One BullMQ job per flowq
 * job (same id); Postgres (`media_files`) says which files are still to copy.
 */
export const ARCHIVE_QUEUE = 'archive';

export const archivePayload = z.object({ jobId: z.string().min(1) });
export type ArchivePayload = z.infer<typeof archivePayload>;

export type ArchiveQueue = Queue<ArchivePayload, void, 'archive'>;

/** First retry after this long, doubling: 8 attempts span about four minutes, enough to ride out a store or network blip. */
export const ARCHIVE_BACKOFF_MS = 2_000;

export function createArchiveQueue(connection: Redis, prefix: string, attempts: number): ArchiveQueue {
  return new Queue<ArchivePayload, void, 'archive'>(ARCHIVE_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts,
      backoff: { type: 'exponential', delay: ARCHIVE_BACKOFF_MS },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
}

/** Queue the archiving of a flowq job; queueing twice is harmless (the BullMQ id is the flowq id). */
export async function enqueueArchive(queue: ArchiveQueue, jobId: string): Promise<void> {
  await queue.add('archive', { jobId }, { jobId });
}
