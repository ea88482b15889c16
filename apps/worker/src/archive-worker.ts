import { ARCHIVE_QUEUE, isRedisConnectionError, type ArchivePayload } from '@flowq/queue';
import { Worker } from 'bullmq';
import { archiveJob, type ArchiveDeps } from './archive-job';
import type { WorkerDeps } from './deps';
import { idempotentWorkerOptions } from './worker-options';

/**
 * The archive queue's worker, in the worker process: its own concurrency
 * (MEDIA_ARCHIVE_CONCURRENCY), so slow downloads never take generate slots. One try per BullMQ
 * attempt (MEDIA_ARCHIVE_ATTEMPTS, exponential backoff set on the queue). A killed worker's job
 * is taken up again once its lock expires; the files already stored stay stored.
 */
export function createArchiveWorker(deps: WorkerDeps & ArchiveDeps): Worker<ArchivePayload, void, 'archive'> {
  const worker = new Worker<ArchivePayload, void, 'archive'>(
    ARCHIVE_QUEUE,
    async (job) => {
      await archiveJob(deps, job.data.jobId, job.attemptsMade + 1);
    },
    idempotentWorkerOptions(deps.config, deps.redis, deps.config.media.archiveConcurrency),
  );
  worker.on('failed', (job, err) => {
    const last = job !== undefined && job.attemptsMade >= deps.config.media.archiveAttempts;
    deps.logger.warn(
      { jobId: job?.id, attempt: job?.attemptsMade, err: err.message },
      last ? 'archive tries exhausted; the reconciler queues the job again' : 'archive try failed; BullMQ retries it',
    );
  });
  // A Redis outage is reported once per process by the connections the process watches; this
  // worker's own blocking connection would only add a late second message after they are back.
  worker.on('error', (err) =>
    isRedisConnectionError(err)
      ? deps.logger.debug({ err: err.message }, 'archive worker: Redis not reachable')
      : deps.logger.error({ err }, 'archive worker error'),
  );
  return worker;
}
